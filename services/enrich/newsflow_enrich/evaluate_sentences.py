"""Sentence-level event scoring on the labelled corpus (`services/enrich/training/`).

Each sentence is enriched as a one-sentence article (no title), exactly as the pipeline
would; its top event is the one with the highest confidence. Reported: top-1 type accuracy
over sentences with a gold event, macro-F1 over the 16 types, per-type P/R/F1, "no event"
precision and recall, the share of event sentences that get no event, and source / target
country accuracy of correctly typed events.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from typing import Any

from spacy.tokens import Doc

from newsflow_enrich.classify import Policy
from newsflow_enrich.core import Enricher
from newsflow_enrich.training import NONE, TYPES, Page, Sentence, origin_key
from newsflow_shared.messages import Enrichment


def parse(enricher: Enricher, sentences: Sequence[Sentence]) -> list[tuple[Doc, Doc]]:
    """(title doc, text doc) per sentence, parsed once so policies can be compared cheaply."""
    texts = (part for s in sentences for part in ("", s.text))
    docs = enricher.parse(texts, batch_size=64)
    return [(next(docs), next(docs)) for _ in sentences]


def predict(
    enricher: Enricher,
    sentences: Sequence[Sentence],
    docs: Sequence[tuple[Doc, Doc]] | None = None,
    policy: Policy | None = None,
) -> list[Enrichment]:
    """Enrich each sentence as an article (from pre-parsed docs when given)."""
    if policy is not None:
        enricher = dataclasses.replace(enricher, policy=policy)
    if docs is None:
        return enricher.enrich_many((("", s.text, None, s.id) for s in sentences), 16)
    return [
        enricher.from_docs(("", s.text, None, s.id), t, d)
        for s, (t, d) in zip(sentences, docs, strict=True)
    ]


def _top(result: Enrichment) -> tuple[str, str | None, str | None]:
    if not result.events:
        return NONE, None, None
    ev = max(result.events, key=lambda e: e.confidence)
    countries = {a.id: a.country for a in result.actors}

    def first(ids: list[str]) -> str | None:
        return next((countries.get(i) for i in ids if countries.get(i)), None)

    return ev.type.value, first(ev.source_actors), first(ev.target_actors)


def score(sentences: Sequence[Sentence], results: Sequence[Enrichment]) -> dict[str, Any]:
    """The report (JSON-able) for predictions on labelled sentences."""
    tp: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    correct = silent = n_events = 0
    src = [0, 0]
    tgt = [0, 0]
    for s, res in zip(sentences, results, strict=True):
        pred, p_src, p_tgt = _top(res)
        # A secondary event the sentence also states counts as right, scored as that type.
        gold = pred if pred in s.also else s.label
        n_gold[gold] += 1
        n_pred[pred] += 1
        tp[pred] += pred == gold
        if gold == NONE:
            continue
        n_events += 1
        silent += pred == NONE
        correct += pred == gold
        if pred == gold:
            if s.source_country:
                src[0] += p_src == s.source_country
                src[1] += 1
            if s.target_country:
                tgt[0] += p_tgt == s.target_country
                tgt[1] += 1
    per_type = {t: _prf(tp[t], n_pred[t], n_gold[t]) for t in (*TYPES, NONE)}
    quiet, pages = _quiet_pages(sentences, results)
    present = [t for t in TYPES if n_gold[t]]
    macro = sum(per_type[t]["f1"] for t in present) / max(1, len(present))
    return {
        "sentences": len(sentences),
        "event_sentences": n_events,
        "top1_accuracy": round(correct / max(1, n_events), 3),
        "macro_f1": round(macro, 3),
        "no_event_on_event_sentences": round(silent / max(1, n_events), 3),
        "source_country_accuracy": round(src[0] / max(1, src[1]), 3),
        "target_country_accuracy": round(tgt[0] / max(1, tgt[1]), 3),
        "role_counts": {"source": src[1], "target": tgt[1]},
        "quiet_pages": round(quiet / max(1, pages), 3),
        "eventless_pages": pages,
        "per_type": per_type,
    }


def _quiet_pages(sentences: Sequence[Sentence], results: Sequence[Enrichment]) -> tuple[int, int]:
    """Of the real pages with no event in any labelled sentence (at least 5 of them), how
    many get no event at all: the article-level false alarm rate, page by page."""
    pages: dict[str, list[tuple[bool, bool]]] = {}  # page -> (gold has none, coded none)
    for s, res in zip(sentences, results, strict=True):
        if "corpus" in s.origin:
            pages.setdefault(origin_key(s.origin, s.id), []).append(
                (s.label == NONE, not res.events)
            )
    eventless = [v for v in pages.values() if len(v) >= 5 and all(g for g, _ in v)]
    return sum(all(quiet for _, quiet in v) for v in eventless), len(eventless)


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "gold": n_gold}


def format_report(report: dict[str, Any], title: str = "") -> str:
    """A readable summary of `score`'s report."""
    lines = [
        f"{title}sentences {report['sentences']} (with an event {report['event_sentences']})",
        f"  top-1 type accuracy {report['top1_accuracy']:.3f}   macro-F1 {report['macro_f1']:.3f}"
        f"   event sentences with no event {report['no_event_on_event_sentences']:.3f}",
        f"  source country acc {report['source_country_accuracy']:.3f}"
        f"   target country acc {report['target_country_accuracy']:.3f}"
        f"   (n {report['role_counts']['source']} / {report['role_counts']['target']})",
        f"  pages without events that get none {report['quiet_pages']:.3f}"
        f" (of {report['eventless_pages']})",
    ]
    for t, s in report["per_type"].items():
        lines.append(
            f"  {t:10} P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f} (gold {s['gold']})"
        )
    return "\n".join(lines)


def parse_pages(enricher: Enricher, texts: Sequence[str]) -> list[tuple[Doc, Doc]]:
    """(empty title doc, text doc) per page text."""
    docs = enricher.parse((part for t in texts for part in ("", t)), batch_size=8)
    return [(next(docs), next(docs)) for _ in texts]


def page_results(
    enricher: Enricher, pages: Sequence[Page], docs: Sequence[tuple[Doc, Doc]]
) -> list[Enrichment]:
    """Each labelled page enriched as an article from its parsed docs."""
    return [
        enricher.from_docs(("", d.text, None, page.key), t, d)
        for page, (t, d) in zip(pages, docs, strict=True)
    ]


def page_report(pages: Sequence[Page], results: Sequence[Enrichment]) -> dict[str, Any]:
    """Whole pages: the share of pages reporting no political or social event that code
    none (the article-level false alarm rate), and of pages that do, the share that code
    at least one event."""
    quiet = [not r.events for p, r in zip(pages, results, strict=True) if not p.event_news]
    kept = [bool(r.events) for p, r in zip(pages, results, strict=True) if p.event_news]
    return {
        "quiet_pages": round(sum(quiet) / max(1, len(quiet)), 3),
        "eventless_pages": len(quiet),
        "event_pages_with_events": round(sum(kept) / max(1, len(kept)), 3),
        "event_pages": len(kept),
    }


def format_page_report(report: dict[str, Any], title: str = "") -> str:
    """One line for `page_report`."""
    return (
        f"{title}pages reporting no event that code none {report['quiet_pages']:.3f}"
        f" (of {report['eventless_pages']}); pages reporting events that code one"
        f" {report['event_pages_with_events']:.3f} (of {report['event_pages']})"
    )
