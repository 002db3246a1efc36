"""Long texts in parts: cut at paragraph breaks, parsed piece by piece, read part by part.

spaCy refuses a text over `nlp.max_length` (1,000,000 chars): its parser and NER need about
1 GB per million chars in one call, so raising the limit only trades the error for the
memory. An article longer than `CHUNK_CHARS` is cut into pieces (`pieces`), parsed in
batches of at most `CHUNK_CHARS` chars (`batches`), and kept as `Part`s: a Doc each and its
offset in the text. `core` builds the actors from all parts at once (`build_actors` with
the offsets: one actor per real-world actor, spans into the whole text) and reads quotes
and events part by part (per-sentence work that rescans its doc, such as `Span.ents`,
stays linear in the article's length). CoreNLP requests (`ner.py`) are cut the same way.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import NamedTuple

from spacy.tokens import Doc

# Chars per spaCy call (a piece, or a batch of short texts). On 600,000 chars of news the
# peak RSS was 480 MB with 50,000 and 660 MB with 100,000, at the same speed; an article
# up to this size is parsed and read whole, as before.
CHUNK_CHARS = 50_000
# Where to cut, best first: a paragraph break, a line break, a sentence end, any space.
# A piece ends after the break, so its last token keeps the whitespace it had.
_BREAKS = tuple(
    re.compile(p) for p in (r"\n[^\S\n]*\n\s*", r"\n\s*", r"[.!?][\"'”’)\]]*\s+", r"\s+")
)


def cut(text: str, start: int, limit: int) -> int:
    """End of the piece of `text` from `start` of at most `limit` chars: after the last
    break of the best kind in the second half of the window, else a hard cut."""
    stop = start + limit
    if stop >= len(text):
        return len(text)
    half = start + limit // 2
    for brk in _BREAKS:
        last = None
        for last in brk.finditer(text, half, stop):  # noqa: B007 - the last match is wanted
            pass
        if last is not None:
            return last.end()
    return stop  # no space in half a window: a blob, not prose


def pieces(text: str, limit: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, piece) of `text` in consecutive pieces of at most `limit` chars that join
    back to `text`, cut at paragraph breaks where possible (see `cut`)."""
    start = 0
    while True:
        end = cut(text, start, limit)
        yield start, text[start:end]
        if end >= len(text):
            return
        start = end


def batches(texts: Iterable[str], size: int, chars: int) -> Iterator[list[str]]:
    """`texts` in consecutive batches of at most `size` texts and `chars` chars (a longer
    text alone): what a batch holds in flight bounds the parser's working memory."""
    batch: list[str] = []
    total = 0
    for text in texts:
        if batch and (len(batch) == size or total + len(text) > chars):
            yield batch
            batch, total = [], 0
        batch.append(text)
        total += len(text)
    if batch:
        yield batch


class Part(NamedTuple):
    """A piece of a text, parsed: its char offset in the text, and its Doc."""

    char: int
    doc: Doc


def prefix(text: str, limit: int) -> str:
    """`text` up to `limit` chars, cut at a paragraph break where possible (see `cut`)."""
    return text[: cut(text, 0, limit)]


def parse_parts(
    parse: Callable[[Iterable[str]], Iterable[Doc]], texts: Iterable[str], limit: int
) -> Iterator[list[Part]]:
    """The parts of each text, in order: `parse` sees each text longer than `limit` as
    pieces (`pieces`), a shorter one whole (one part at offset 0)."""
    offsets: deque[list[int]] = deque()

    def split() -> Iterator[str]:
        for text in texts:
            cut_up = list(pieces(text, limit))
            offsets.append([offset for offset, _ in cut_up])  # read below, once parsed
            yield from (piece for _, piece in cut_up)

    docs = iter(parse(split()))
    for first in docs:
        starts = offsets.popleft()
        yield [
            Part(char, doc)
            for char, doc in zip(starts, [first, *islice(docs, len(starts) - 1)], strict=True)
        ]
