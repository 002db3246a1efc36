"""Reading the handbook corpus and its ground truth (by path; nothing is copied)."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

CORPUS = (Path(__file__).resolve().parents[2] / "shared" / "corpus").resolve()


@dataclass(frozen=True)
class Page:
    path: str  # relative to CORPUS
    title: str
    body: str


def wcxb_pages(n: int, start: int = 1) -> list[Page]:
    root = CORPUS / "wcxb-dev-articles"
    out = []
    for gt in sorted((root / "ground-truth").glob("*.json"))[start - 1 : start - 1 + n]:
        d = json.loads(gt.read_text())["ground_truth"]
        out.append(Page(f"wcxb-dev-articles/html/{gt.stem}.html.gz", d["title"] or "", d["main_content"] or ""))
    return out


def fundus_pages(n: int) -> list[Page]:
    root = CORPUS / "fundus-en"
    out: list[Page] = []
    for gt in sorted(root.glob("*/*.json")):
        entries = json.loads(gt.read_text())
        pages = sorted(gt.parent.glob(f"{gt.stem}_*.html.gz"))
        for page, key in zip(pages, sorted(entries, key=_version_key), strict=False):
            e = entries[key]
            paras = [p for s in e["body"]["sections"] for p in s["paragraphs"]]
            out.append(Page(str(page.relative_to(CORPUS)), e["title"], "\n".join(paras)))
    return out[:n]


def _version_key(k: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", k))


def _words(s: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", s.lower()))


def word_f1(got: str, want: str) -> float:
    """Bag-of-words F1 between extracted and ground-truth text."""
    g, w = _words(got), _words(want)
    overlap = sum((g & w).values())
    if not overlap:
        return 0.0
    p, r = overlap / sum(g.values()), overlap / sum(w.values())
    return 2 * p * r / (p + r)
