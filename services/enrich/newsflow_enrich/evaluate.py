"""Score the enricher against a gold JSONL file (tests/gold/FORMAT.md), reproducibly.

`evaluate` rebuilds each article's text exactly as FORMAT.md says, enriches it, and matches:
actors by type and normalised name/alias (countries by ISO code), events by type, flags
and evidence-inside-sentence. It returns a JSON-able dict; `format_report` prints it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from newsflow_enrich.core import Enricher
from newsflow_enrich.dates import format_date
from newsflow_enrich.training import Split, fundus_text, split_of
from newsflow_shared.messages import Actor, Enrichment, Event


def norm_name(name: str) -> str:
    """Normalised actor name for matching: ASCII, lower case, no dots, no leading 'the'."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"^the\s+", "", text.replace(".", "").strip())
    return re.sub(r"\s+", " ", text)


def norm_space(text: str) -> str:
    """Straight quotes, single spaces: how evidence and sentences are compared."""
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("“", '"').replace("”", '"')).strip()


def load_text(doc: dict[str, Any], corpus_root: Path, repo_root: Path) -> tuple[str, str]:
    """(title, text) of a gold line's `doc`, rebuilt as FORMAT.md specifies."""
    if "corpus" in doc:
        entry = json.loads((corpus_root / doc["corpus"]).read_text())[doc["key"]]
        return entry.get("title") or "", fundus_text(entry)
    if "seed" in doc:
        lines = (repo_root / doc["seed"]).read_text().splitlines()
        first = next(i for i, line in enumerate(lines) if line.strip())
        return lines[first].strip(), "\n".join(lines[first + 1 :]).strip()
    return doc["title"], doc["text"]


def _actor_matches(pred: Actor, gold: dict[str, Any]) -> bool:
    if pred.type.value != gold.get("type"):
        return False
    if pred.type.value == "country" and gold.get("country"):
        return pred.country == gold["country"]
    key = norm_name(gold["name"])
    return norm_name(pred.name) == key or any(norm_name(a) == key for a in pred.aliases)


def _name_matches(pred: Actor, gold_name: str, gold_actors: dict[str, dict[str, Any]]) -> bool:
    gold = gold_actors.get(gold_name, {"name": gold_name, "type": pred.type.value})
    return _actor_matches(pred, gold)


def _same_actors(
    pred_ids: list[str],
    gold_names: list[str],
    by_id: dict[str, Actor],
    gold_actors: dict[str, dict[str, Any]],
) -> bool:
    preds = [by_id[i] for i in pred_ids if i in by_id]
    if len(preds) != len(set(gold_names)):
        return False
    return all(any(_name_matches(p, g, gold_actors) for p in preds) for g in gold_names) and all(
        any(_name_matches(p, g, gold_actors) for g in gold_names) for p in preds
    )


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}


def _flags(ev: Event) -> tuple[bool, bool]:
    # Gold's "hypothetical" covers "only intended" (plans to, will): our future flag.
    return ev.negated, ev.hypothetical or ev.future


def _check_roles(
    ev: Event,
    g: dict[str, Any],
    by_id: dict[str, Actor],
    gold_actors: dict[str, dict[str, Any]],
    stats: Counter[str],
) -> list[dict[str, Any]]:
    """Count source/target/date/mode agreement of a matched pair; describe any mismatch."""
    source_ok = _same_actors(ev.source_actors, g.get("source", []), by_id, gold_actors)
    target_ok = _same_actors(ev.target_actors, g.get("target", []), by_id, gold_actors)
    date_ok = format_date(ev.date) == g.get("date")
    stats["source_ok"] += source_ok
    stats["target_ok"] += target_ok
    stats["date_ok"] += date_ok
    stats["mode_ok"] += (ev.mode or None) == (g.get("mode") or None)
    if source_ok and target_ok and date_ok:
        return []

    def pred_names(ids: list[str]) -> list[str]:
        return [by_id[i].name for i in ids if i in by_id]

    return [
        {
            "type": g["type"],
            "evidence": g["evidence"],
            "source": {"gold": g.get("source", []), "pred": pred_names(ev.source_actors)},
            "target": {"gold": g.get("target", []), "pred": pred_names(ev.target_actors)},
            "date": {"gold": g.get("date"), "pred": format_date(ev.date)},
        }
    ]


def _score_actors(gold: dict[str, Any], result: Enrichment) -> dict[str, Any]:
    """Match one document's predicted actors against its gold line."""
    used: set[int] = set()
    actor_fn = []
    for g in gold.get("actors", []):
        hit = next(
            (k for k, p in enumerate(result.actors) if k not in used and _actor_matches(p, g)), None
        )
        if hit is None:
            actor_fn.append(f"{g['name']} ({g['type']})")
        else:
            used.add(hit)
    actor_fp = [f"{p.name} ({p.type.value})" for k, p in enumerate(result.actors) if k not in used]
    actor_types: dict[str, Counter[str]] = {}
    for g in gold.get("actors", []):
        actor_types.setdefault(g["type"], Counter())["gold"] += 1
    for k, p in enumerate(result.actors):
        c = actor_types.setdefault(p.type.value, Counter())
        c["pred"] += 1
        c["tp"] += k in used
    return {
        "tp": len(used),
        "pred": len(result.actors),
        "gold": len(gold.get("actors", [])),
        "missed": actor_fn,
        "spurious": actor_fp,
        "per_type": {t: dict(c) for t, c in actor_types.items()},
    }


def score_document(gold: dict[str, Any], result: Enrichment) -> dict[str, Any]:
    """Match one document's predictions against its gold line."""
    gold_actors = {a["name"]: a for a in gold.get("actors", [])}
    by_id = {a.id: a for a in result.actors}
    matched_pred: set[int] = set()
    stats = Counter[str]()
    per_type: dict[str, Counter[str]] = {}
    missed = []
    wrong: list[dict[str, Any]] = []
    for g in gold.get("events", []):
        evidence = norm_space(g["evidence"])
        flags = (bool(g.get("negated")), bool(g.get("hypothetical")))
        hit = next(
            (
                k
                for k, ev in enumerate(result.events)
                if k not in matched_pred
                and ev.type.value == g["type"]
                and _flags(ev) == flags
                and evidence in norm_space(ev.sentence)
            ),
            None,
        )
        per_type.setdefault(g["type"], Counter())["gold"] += 1
        if hit is None:
            missed.append({"type": g["type"], "evidence": g["evidence"], "flags": flags})
            continue
        matched_pred.add(hit)
        ev = result.events[hit]
        per_type[g["type"]]["tp"] += 1
        stats["matched"] += 1
        wrong.extend(_check_roles(ev, g, by_id, gold_actors, stats))
    false_pos = []
    for k, ev in enumerate(result.events):
        per_type.setdefault(ev.type.value, Counter())["pred"] += 1
        if k not in matched_pred:
            false_pos.append(
                {
                    "type": ev.type.value,
                    "trigger": ev.trigger,
                    "flags": _flags(ev),
                    "sentence": ev.sentence[:160],
                }
            )
    return {
        "actors": _score_actors(gold, result),
        "events": {
            "tp": stats["matched"],
            "pred": len(result.events),
            "gold": len(gold.get("events", [])),
            "missed": missed,
            "spurious": false_pos,
            "wrong_roles_or_date": wrong,
        },
        "stats": dict(stats),
        "per_type": {t: dict(c) for t, c in per_type.items()},
    }


def evaluate(
    gold_path: Path,
    enricher: Enricher,
    corpus_root: Path,
    repo_root: Path,
    split: Split | None = None,
) -> dict[str, Any]:
    """Enrich every gold document and score actors, event types, roles and dates."""
    lines = [json.loads(line) for line in gold_path.read_text().splitlines() if line.strip()]
    if split is not None:
        # The sentence corpus holds these documents' sentences (tools/convert_gold.py): a
        # document is in the split its sentences are in.
        origin = str(gold_path.resolve().relative_to(repo_root.resolve()))
        lines = [g for g in lines if split_of({"gold": origin, "id": g["id"]}, g["id"]) == split]
    items = []
    for g in lines:
        title, text = load_text(g["doc"], corpus_root, repo_root)
        published = date.fromisoformat(g["published"][:10]) if g.get("published") else None
        items.append((title, text, published, g["id"]))
    results = enricher.enrich_many(items)
    return aggregate(lines, results)


def aggregate(lines: Iterable[dict[str, Any]], results: list[Enrichment]) -> dict[str, Any]:
    """Sum per-document scores into the report dict."""
    totals = Counter[str]()
    stats = Counter[str]()
    per_type: dict[str, Counter[str]] = {}
    actor_types: dict[str, Counter[str]] = {}
    documents = []
    for g, result in zip(lines, results, strict=True):
        doc = score_document(g, result)
        for t, c in doc["actors"]["per_type"].items():
            actor_types.setdefault(t, Counter()).update(c)
        for part in ("actors", "events"):
            for k in ("tp", "pred", "gold"):
                totals[f"{part}_{k}"] += doc[part][k]
        stats.update(doc["stats"])
        for t, c in doc["per_type"].items():
            per_type.setdefault(t, Counter()).update(c)
        documents.append({"id": g["id"], **doc})
    matched = stats["matched"]
    return {
        "documents": len(documents),
        "actors": {
            **_prf(totals["actors_tp"], totals["actors_pred"], totals["actors_gold"]),
            "tp": totals["actors_tp"],
            "pred": totals["actors_pred"],
            "gold": totals["actors_gold"],
        },
        "events": {
            **_prf(totals["events_tp"], totals["events_pred"], totals["events_gold"]),
            "tp": totals["events_tp"],
            "pred": totals["events_pred"],
            "gold": totals["events_gold"],
        },
        "matched_events": {
            "n": matched,
            "source_accuracy": round(stats["source_ok"] / matched, 3) if matched else 0.0,
            "target_accuracy": round(stats["target_ok"] / matched, 3) if matched else 0.0,
            "date_accuracy": round(stats["date_ok"] / matched, 3) if matched else 0.0,
            "mode_accuracy": round(stats["mode_ok"] / matched, 3) if matched else 0.0,
        },
        "per_type": {
            t: {
                **_prf(c["tp"], c["pred"], c["gold"]),
                "tp": c["tp"],
                "pred": c["pred"],
                "gold": c["gold"],
            }
            for t, c in sorted(per_type.items())
        },
        "actor_types": {
            t: {
                **_prf(c["tp"], c["pred"], c["gold"]),
                "tp": c["tp"],
                "pred": c["pred"],
                "gold": c["gold"],
            }
            for t, c in sorted(actor_types.items())
        },
        "per_document": documents,
    }


def format_report(report: dict[str, Any]) -> str:
    """A human-readable summary of an evaluation report."""
    a, e, m = report["actors"], report["events"], report["matched_events"]
    lines = [
        f"documents: {report['documents']}",
        f"actors      P {a['precision']:.3f}  R {a['recall']:.3f}  F1 {a['f1']:.3f}"
        f"   (tp {a['tp']}, pred {a['pred']}, gold {a['gold']})",
        f"event types P {e['precision']:.3f}  R {e['recall']:.3f}  F1 {e['f1']:.3f}"
        f"   (tp {e['tp']}, pred {e['pred']}, gold {e['gold']})",
        f"matched events {m['n']}: source acc {m['source_accuracy']:.3f}, target acc "
        f"{m['target_accuracy']:.3f}, date acc {m['date_accuracy']:.3f}, "
        f"mode acc {m['mode_accuracy']:.3f}",
        "actors per type:",
    ]
    for t, s in report["actor_types"].items():
        lines.append(
            f"  {t:12} P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}"
            f"  (tp {s['tp']}, pred {s['pred']}, gold {s['gold']})"
        )
    lines.append("event types:")
    for t, s in report["per_type"].items():
        lines.append(
            f"  {t:10} P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}"
            f"  (tp {s['tp']}, pred {s['pred']}, gold {s['gold']})"
        )
    return "\n".join(lines)
