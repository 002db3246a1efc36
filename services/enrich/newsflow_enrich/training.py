"""The labelled sentence corpus (`services/enrich/training/`): loading and splits.

Format: `services/enrich/training/FORMAT.md`. Splits are derived from the origin, never
stored, so a sentence cannot move between them: all sentences of one article share a split.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from newsflow_shared.messages import EventType

Split = Literal["train", "dev", "test"]
NONE = "NONE"  # the "no event" class
TYPES = tuple(t.value for t in EventType)  # the 16 PLOVER types, declared in messages
CLASSES = (NONE, *TYPES)
CORPUS_DIR = Path(__file__).resolve().parents[1] / "training" / "sentences"
PAGES_DIR = CORPUS_DIR.parent / "pages"
EVENT = "EVENT"  # the page class "reports a political or social event"


@dataclass(frozen=True)
class Sentence:
    """One labelled sentence."""

    id: str
    text: str
    label: str  # a PLOVER type or NONE
    mode: str | None
    negated: bool
    hypothetical: bool
    source_country: str | None
    target_country: str | None
    origin: dict[str, Any]
    also: tuple[str, ...] = ()
    hard_negative: bool = False

    @property
    def split(self) -> Split:
        """The split this sentence belongs to (see `split_of`)."""
        return split_of(self.origin, self.id)


def origin_key(origin: dict[str, Any], sentence_id: str) -> str:
    """The unit that decides a split: the article for real sentences, the id for written."""
    if "corpus" in origin:
        return f"{origin['corpus']}#{origin.get('key', '')}"
    if "gold" in origin:
        return f"{origin['gold']}#{origin['id']}"
    return sentence_id


def split_of(origin: dict[str, Any], sentence_id: str) -> Split:
    """70 % train, 10 % dev, 20 % test, by a stable hash of `origin_key`."""
    digest = hashlib.sha256(origin_key(origin, sentence_id).encode()).digest()
    bucket = digest[0] % 10
    return "test" if bucket < 2 else "dev" if bucket == 2 else "train"


def parse_line(obj: dict[str, Any]) -> Sentence:
    """A `Sentence` from one JSONL object; ValueError on an unknown type."""
    ev = obj.get("event")
    label = ev["type"] if ev else NONE
    if label not in CLASSES:
        raise ValueError(f"{obj.get('id')}: unknown event type {label!r}")
    ev = ev or {}
    return Sentence(
        id=obj["id"],
        text=obj["text"],
        label=label,
        mode=ev.get("mode"),
        negated=bool(ev.get("negated")),
        hypothetical=bool(ev.get("hypothetical")),
        source_country=ev.get("source_country"),
        target_country=ev.get("target_country"),
        origin=obj.get("origin") or {},
        also=tuple(t for t in obj.get("also") or () if t in TYPES),
        hard_negative=bool(obj.get("hard_negative")),
    )


def load(paths: Iterable[Path] | None = None) -> list[Sentence]:
    """Every labelled sentence of the corpus files (default: all of `CORPUS_DIR`)."""
    files = sorted(CORPUS_DIR.glob("*.jsonl")) if paths is None else list(paths)
    seen: set[str] = set()
    out: list[Sentence] = []
    for path in files:
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                s = parse_line(json.loads(line))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{n}: {exc}") from exc
            if s.id in seen:
                continue  # the same sentence labelled twice: the first file wins
            seen.add(s.id)
            out.append(s)
    return out


def of_split(sentences: Iterable[Sentence], split: Split) -> Iterator[Sentence]:
    """The sentences of one split."""
    return (s for s in sentences if s.split == split)


@dataclass(frozen=True)
class Page:
    """One labelled page: does it report a political or social event at all."""

    origin: dict[str, Any]
    title: str
    event_news: bool
    domain: str

    @property
    def key(self) -> str:
        """The page's origin key (shared with its labelled sentences)."""
        return origin_key(self.origin, "")

    @property
    def split(self) -> Split:
        """The split of the page: the same as its sentences' (`split_of`)."""
        return split_of(self.origin, "")

    @property
    def label(self) -> str:
        """`EVENT` or `NONE`."""
        return EVENT if self.event_news else NONE


def load_pages(folder: Path = PAGES_DIR) -> list[Page]:
    """Every labelled page of `folder` (FORMAT.md, "Pages"); the first label of a page wins."""
    seen: set[str] = set()
    out: list[Page] = []
    for path in sorted(folder.glob("*.jsonl")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                page = Page(
                    obj["origin"],
                    obj.get("title") or "",
                    bool(obj["event_news"]),
                    obj.get("domain") or "other",
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{n}: {exc}") from exc
            if page.key not in seen:
                seen.add(page.key)
                out.append(page)
    return out


def page_text(page: Page, corpus_root: Path) -> str:
    """The text of a labelled page, as the parse stage would give it: a WCXB page's main
    content, a Fundus page's summary, headlines and paragraphs."""
    corpus = page.origin["corpus"]
    data = json.loads((corpus_root / corpus).read_text())
    if corpus.startswith("wcxb"):
        return str(data["ground_truth"].get("main_content") or "")
    return fundus_text(data[page.origin["key"]])


def fundus_text(entry: dict[str, Any]) -> str:
    """A Fundus ground-truth entry's text: its summary, section headlines and paragraphs."""
    body = entry.get("body", {})
    parts = [s for s in body.get("summary", []) if s and s.strip()]
    for section in body.get("sections", []):
        parts += [s for s in section.get("headline", []) if s and s.strip()]
        parts += [s for s in section.get("paragraphs", []) if s and s.strip()]
    return "\n\n".join(parts)
