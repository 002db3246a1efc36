"""The evaluator's text reconstruction and matching on a tiny gold file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsflow_enrich.core import Enricher
from newsflow_enrich.evaluate import evaluate, format_report, load_text, norm_name
from newsflow_enrich.evaluate_ner import actor_view

pytestmark = pytest.mark.unit

TEXT = (
    "Russian drones attacked Kyiv on Tuesday, Ukrainian officials said.\n\n"
    "The European Union has not imposed new sanctions on Moscow."
)
GOLD = {
    "id": "inline-1",
    "doc": {"title": "Drones hit Kyiv", "text": TEXT},
    "published": "2025-07-03",
    "actors": [
        {"name": "Russia", "type": "country", "country": "RUS"},
        {"name": "Ukraine", "type": "country", "country": "UKR"},
        {"name": "European Union", "type": "organization"},
        {"name": "Nobody Atall", "type": "person"},
    ],
    "events": [
        {
            "type": "ASSAULT",
            "mode": "drone",
            "source": ["Russia"],
            "target": ["Ukraine"],
            "date": "2025-07-01",
            "negated": False,
            "hypothetical": False,
            "evidence": "Russian drones attacked Kyiv",
        },
        {
            "type": "SANCTION",
            "source": ["European Union"],
            "target": ["Russia"],
            "date": None,
            "negated": True,
            "hypothetical": False,
            "evidence": "has not imposed new sanctions",
        },
        {
            "type": "AGREE",
            "source": [],
            "target": [],
            "date": None,
            "negated": False,
            "hypothetical": False,
            "evidence": "Ukrainian officials said",
        },
    ],
}


def test_evaluate_tiny_gold(tmp_path: Path, enricher: Enricher) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(GOLD) + "\n")
    report = evaluate(gold, enricher, tmp_path, tmp_path)
    assert report["documents"] == 1
    assert report["actors"]["gold"] == 4 and report["actors"]["tp"] == 3
    ev = report["events"]
    assert ev["gold"] == 3 and ev["tp"] == 2  # the AGREE is a deliberate miss
    assert report["per_type"]["AGREE"]["recall"] == 0.0
    assert report["per_type"]["SANCTION"]["tp"] == 1  # negated matched a negated prediction
    assert report["matched_events"]["date_accuracy"] == 1.0
    assert "event types" in format_report(report)
    missed = report["per_document"][0]["actors"]["missed"]
    assert missed == ["Nobody Atall (person)"]


def test_flags_must_agree(tmp_path: Path, enricher: Enricher) -> None:
    line = dict(GOLD)
    line["events"] = [dict(GOLD["events"][1], negated=False)]  # gold says it happened
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(line) + "\n")
    report = evaluate(gold, enricher, tmp_path, tmp_path)
    assert report["events"]["tp"] == 0


def test_load_text_corpus_and_seed(tmp_path: Path) -> None:
    entry = {
        "V1": {
            "title": "T",
            "body": {
                "summary": ["S", " "],
                "sections": [
                    {"headline": ["H"], "paragraphs": ["P1", "P2"]},
                    {"headline": [], "paragraphs": ["P3"]},
                ],
            },
        }
    }
    (tmp_path / "pub.json").write_text(json.dumps(entry))
    assert load_text({"corpus": "pub.json", "key": "V1"}, tmp_path, tmp_path) == (
        "T",
        "S\n\nH\n\nP1\n\nP2\n\nP3",
    )
    (tmp_path / "seed.txt").write_text("\n  Title line \n\nBody one.\nBody two.\n")
    assert load_text({"seed": "seed.txt"}, tmp_path, tmp_path) == (
        "Title line",
        "Body one.\nBody two.",
    )


def test_norm_name() -> None:
    assert norm_name("the U.S. Defense Department") == "us defense department"
    assert norm_name("Volodymyr  Zelensky") == "volodymyr zelensky"


def test_the_actor_view_matches_each_listed_actor_to_one_entity(enricher: Enricher) -> None:
    line = {
        "title": "",
        "text": "Vladimir Putin spoke by phone with Donald Trump about Ukraine on Thursday.",
        "entities": [
            {"text": "Vladimir Putin", "type": "PER"},
            {"text": "Putin", "type": "PER"},
            {"text": "Donald Trump", "type": "PER"},
            {"text": "Ukraine", "type": "LOC"},
            {"text": "NATO", "type": "ORG"},
        ],
    }
    report = actor_view([line], enricher)
    # one actor per entity: "Putin" is the same actor as "Vladimir Putin", so it is missed
    assert report["per_type"]["PER"]["recall"] == round(2 / 3, 3)
    assert report["per_type"]["LOC"]["recall"] == 1.0
    assert report["per_type"]["ORG"]["recall"] == 0.0
    assert report["all"]["precision"] == 1.0
