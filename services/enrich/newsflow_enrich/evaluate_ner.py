"""Plain NER score: document-level sets of (normalised text, PER/ORG/LOC) against
tests/gold/ner_dev.jsonl (format: tests/gold/FORMAT.md, "NER dev set").

    NEWSFLOW_ENRICH_NER=corenlp .venv/bin/python -m newsflow_enrich.evaluate_ner tests/gold/ner_dev.jsonl
    # the same entities against the actors the article lists (names and aliases):
    .venv/bin/python -m newsflow_enrich.evaluate_ner tests/gold/ner_dev.jsonl --actors

The model and backend come from the NEWSFLOW_ENRICH_* settings, as in the worker. spaCy
labels map to CoNLL's: PERSON -> PER, ORG -> ORG, GPE/LOC/FAC -> LOC (others are ignored).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from newsflow_enrich.core import Enricher
from newsflow_enrich.evaluate import norm_name
from newsflow_enrich.loader import load_enricher

CONLL = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
TYPES = ("PER", "ORG", "LOC")


def norm_entity(text: str) -> str:
    """norm_name plus no trailing possessive ("Harris's", "Canada’s")."""
    return re.sub(r"\s*['’]s?$", "", norm_name(text))


def predict(enricher: Enricher, title: str, text: str) -> set[tuple[str, str]]:
    """(normalised text, type) of every PER/ORG/LOC entity in the title and text."""
    docs = enricher.ner.apply(enricher.nlp.pipe([title, text]))
    return {
        (norm_entity(e.text), CONLL[e.label_])
        for doc in docs
        for e in doc.ents
        if e.label_ in CONLL
    }


# The article's actors as PER/ORG/LOC (groups are organisations or movements in CoNLL).
ACTOR_TYPES = {
    "person": "PER",
    "organization": "ORG",
    "group": "ORG",
    "country": "LOC",
    "location": "LOC",
}


def actor_view(lines: list[dict[str, Any]], enricher: Enricher) -> dict[str, Any]:
    """The actors an article lists (as `/articles/{id}` shows them) against the entities:
    an actor matches one gold entity of its type whose text is its name or an alias, each
    side matched at most once (the matching of tests/gold/FORMAT.md)."""
    tp, pred, gold = Counter[str](), Counter[str](), Counter[str]()
    for g in lines:
        want = sorted({(norm_entity(e["text"]), e["type"]) for e in g["entities"]})
        for _, t in want:
            gold[t] += 1
        used: set[tuple[str, str]] = set()
        for a in enricher.enrich(g["title"], g["text"], None).actors:
            t = ACTOR_TYPES.get(a.type.value)
            if t is None:
                continue
            pred[t] += 1
            names = {norm_entity(n) for n in (a.name, *a.aliases)}
            hit = next((w for w in want if w not in used and w[1] == t and w[0] in names), None)
            if hit is not None:
                used.add(hit)
                tp[t] += 1
    total = _prf(sum(tp.values()), sum(pred.values()), sum(gold.values()))
    per_type = {t: {**_prf(tp[t], pred[t], gold[t]), "gold": gold[t]} for t in TYPES}
    return {"documents": len(lines), "all": total, "per_type": per_type}


def _prf(a: int, p: int, r: int) -> dict[str, float]:
    prec, rec = (a / p if p else 0.0), (a / r if r else 0.0)
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": round(prec, 3), "recall": round(rec, 3), "f1": round(f1, 3)}


def score(lines: list[dict[str, Any]], enricher: Enricher) -> dict[str, Any]:
    """Micro P/R/F1 overall and per type, plus each document's misses and extras."""
    tp, pred, gold = Counter[str](), Counter[str](), Counter[str]()
    docs = []
    for g in lines:
        want = {(norm_entity(e["text"]), e["type"]) for e in g["entities"]}
        got = predict(enricher, g["title"], g["text"])
        for t in TYPES:
            tp[t] += len({x for x in want & got if x[1] == t})
            pred[t] += len({x for x in got if x[1] == t})
            gold[t] += len({x for x in want if x[1] == t})
        docs.append({"id": g["id"], "missed": sorted(want - got), "spurious": sorted(got - want)})

    total = _prf(sum(tp.values()), sum(pred.values()), sum(gold.values()))
    per_type = {t: {**_prf(tp[t], pred[t], gold[t]), "gold": gold[t]} for t in TYPES}
    return {"documents": len(lines), "all": total, "per_type": per_type, "per_document": docs}


def main(gold_path: str, actors: bool = False) -> dict[str, Any]:
    enricher = load_enricher()
    lines = [json.loads(x) for x in Path(gold_path).read_text().splitlines() if x.strip()]
    report = actor_view(lines, enricher) if actors else score(lines, enricher)
    a = report["all"]
    view = "listed actors" if actors else "entities"
    print(f"{enricher.name}: {report['documents']} documents, {view}")
    print(f"  all  P {a['precision']:.3f} R {a['recall']:.3f} F1 {a['f1']:.3f}")
    for t, s in report["per_type"].items():
        print(
            f"  {t}  P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f} (gold {s['gold']})"
        )
    return report


if __name__ == "__main__":
    out = main(sys.argv[1], actors="--actors" in sys.argv)
    if "--json" in sys.argv:
        print(json.dumps(out, indent=1, ensure_ascii=False))
