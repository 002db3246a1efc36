"""The handbook corpus beside the repository (`../shared/corpus`), read by path: pages with
their ground-truth title and body."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = (REPO.parent / "shared" / "corpus").resolve()


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
        out.append(
            Page(
                f"wcxb-dev-articles/html/{gt.stem}.html.gz",
                d.get("title") or "",
                d.get("main_content") or "",
            )
        )
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
