"""Turn the enrichment development set (tests/gold/enrich_dev_*.jsonl) into labelled sentences.

Every sentence of each gold article becomes one line of
`services/enrich/training/sentences/gold_dev.jsonl`: the gold event whose evidence lies in
it (the first one listed; others go to `also`), or no event. The gold labels every event of
its articles, so a sentence without evidence is a true "no event". Run from the repo root:

    .venv/bin/python services/enrich/tools/convert_gold.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from newsflow_enrich.core import Enricher
from newsflow_enrich.evaluate import load_text, norm_space
from newsflow_enrich.gazetteer import country_code
from newsflow_enrich.loader import load_enricher
from newsflow_enrich.resolve import sentences

REPO = Path(__file__).resolve().parents[3]
GOLD = sorted((REPO / "tests" / "gold").glob("enrich_dev_*.jsonl"))
OUT = REPO / "services" / "enrich" / "training" / "sentences" / "gold_dev.jsonl"


def _country(names: list[str], actors: dict[str, dict]) -> str | None:
    for name in names:
        actor = actors.get(name) or {}
        code = actor.get("country") or country_code(name)
        if code:
            return code
    return None


def convert(enricher: Enricher, gold_path: Path, corpus: Path) -> list[dict]:
    rows: list[dict] = []
    for line in gold_path.read_text().splitlines():
        gold = json.loads(line)
        actors = {a["name"]: a for a in gold["actors"]}
        title, text = load_text(gold["doc"], corpus, REPO)
        for part, content in (("t", title), ("s", text)):
            doc = enricher.nlp(content)
            for n, sent in enumerate(sentences(doc)):
                plain = norm_space(sent.text)
                if len(plain) < 8:
                    continue
                evs = [e for e in gold["events"] if norm_space(e["evidence"]) in plain]
                event = None
                if evs:
                    e = evs[0]
                    event = {
                        "type": e["type"],
                        "mode": e.get("mode"),
                        "source": (e.get("source") or [None])[0],
                        "source_country": _country(e.get("source") or [], actors),
                        "target": (e.get("target") or [None])[0],
                        "target_country": _country(e.get("target") or [], actors),
                        "negated": bool(e.get("negated")),
                        "hypothetical": bool(e.get("hypothetical")),
                    }
                rows.append(
                    {
                        "id": f"{gold['id']}:{part}{n:02d}",
                        "origin": {"gold": str(gold_path.relative_to(REPO)), "id": gold["id"]},
                        "text": plain,
                        "event": event,
                        "also": sorted({e["type"] for e in evs[1:]} - {evs[0]["type"]})
                        if evs
                        else [],
                        "domain": "other",
                    }
                )
    return rows


def main() -> None:
    enricher = load_enricher()
    corpus = REPO.parent / "shared" / "corpus"
    rows = [row for path in GOLD for row in convert(enricher, path, corpus)]
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    n_ev = sum(1 for r in rows if r["event"])
    print(f"{OUT.relative_to(REPO)}: {len(rows)} sentences, {n_ev} with an event", file=sys.stderr)


if __name__ == "__main__":
    main()
