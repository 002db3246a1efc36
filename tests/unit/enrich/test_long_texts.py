"""Articles longer than the spaCy model's limit are enriched in parts (issue 12), on real
news text from the handbook corpus (read by path).

The enrichment tests give an enricher of their own a model limit of 60,000 chars and enrich
three times that: the code path of 3 MB against the real 1,000,000, in a fraction of the
time (3 MB: `bench/bench_enrich.py --long 3000000`).
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from enrich_helpers import PUBLISHED, SEED

from newsflow_enrich.chunks import CHUNK_CHARS, batches, pieces, prefix
from newsflow_enrich.core import Enricher
from newsflow_shared.messages import Enrichment
from newsflow_shared.settings import ModelSettings
from newsflow_testkit.corpus import fundus_pages

pytestmark = pytest.mark.unit

MODEL_LIMIT = 60_000  # nlp.max_length of the enricher of these tests


def real_text(chars: int) -> str:
    """Paragraphs of the Fundus ground truth, repeated to reach `chars`."""
    paragraphs = [p for page in fundus_pages(200) for p in page.body.split("\n") if p.strip()]
    out: list[str] = []
    total = 0
    while total < chars:
        out.append(paragraphs[len(out) % len(paragraphs)])
        total += len(out[-1]) + 1
    return "\n".join(out)


@pytest.fixture(scope="module")
def seed_article() -> tuple[str, str]:
    title, text = SEED.read_text().strip().split("\n", 1)
    return title.strip(), text.strip()


def test_pieces_of_a_3mb_text_join_back_at_paragraph_breaks() -> None:
    text = real_text(3_000_000)
    cut_up = list(pieces(text))
    assert "".join(p for _, p in cut_up) == text
    assert all(text[off : off + len(p)] == p for off, p in cut_up)
    assert all(len(p) <= CHUNK_CHARS for _, p in cut_up)
    assert len(cut_up) == pytest.approx(len(text) / CHUNK_CHARS, rel=0.2)
    assert all(p.endswith("\n") for _, p in cut_up[:-1])  # paragraphs stay whole


def test_a_giant_paragraph_is_cut_at_a_sentence_then_a_space_then_anywhere() -> None:
    sentences = "Ukraine's Foreign Ministry said the delay risks emboldening Russia. " * 40
    cut_up = [p for _, p in pieces(sentences, 1000)]
    assert "".join(cut_up) == sentences
    assert all(p.endswith("Russia. ") for p in cut_up)
    words = "ceasefire " * 300
    assert all(p.endswith(" ") for p in [p for _, p in pieces(words, 1000)][:-1])
    blob = "x" * 2500
    assert [len(p) for _, p in pieces(blob, 1000)] == [1000, 1000, 500]
    assert prefix(sentences, 1000) == cut_up[0] and prefix("short", 1000) == "short"


def test_a_parse_batch_holds_at_most_a_chunk_of_chars() -> None:
    texts = ["a" * 30_000, "b" * 30_000, "c" * 10, "d" * 60_000, "e"]
    sizes = [[len(t) for t in batch] for batch in batches(texts, 8, CHUNK_CHARS)]
    assert sizes == [[30_000], [30_000, 10], [60_000], [1]]
    assert [len(b) for b in batches(["x"] * 5, 2, CHUNK_CHARS)] == [2, 2, 1]


@pytest.fixture(scope="module")
def small_model() -> Enricher:
    """An enricher of its own whose model takes at most `MODEL_LIMIT` chars at once."""
    enricher = Enricher.load(ModelSettings().model)
    enricher.nlp.max_length = MODEL_LIMIT
    return enricher


@pytest.fixture(scope="module")
def long_article(small_model: Enricher, seed_article: tuple[str, str]) -> tuple[str, Enrichment]:
    """Three times the model's limit of real news, the seed article first and last."""
    title, seed = seed_article
    text = seed + "\n" + real_text(3 * MODEL_LIMIT) + "\n" + seed
    return text, small_model.enrich(title, text, PUBLISHED, "long")


def test_a_text_over_the_model_limit_is_enriched(long_article: tuple[str, Enrichment]) -> None:
    text, result = long_article
    assert len(text) > 3 * MODEL_LIMIT
    assert result.language == "en" and result.events and result.quotes
    lemmas = result.text_lemmas.split()  # of every part, in order
    assert len(lemmas) > 0.8 * len(text.split()) and lemmas[-2:] == ["kremlin", "directly"]


def test_spans_are_offsets_into_the_whole_text(long_article: tuple[str, Enrichment]) -> None:
    text, result = long_article
    for event in result.events:
        assert text[event.span.start : event.span.end] == event.sentence
    assert len({e.id for e in result.events}) == len(result.events)
    for quote in result.quotes:
        assert quote.text in text[quote.span.start : quote.span.end]
    for actor in result.actors:
        for span in actor.spans:
            mention = text[span.start : span.end]
            assert mention and re.sub(r"[’'‘]s?$", "", mention) in {*actor.aliases, actor.name}


def test_an_actor_of_many_parts_is_one_actor(long_article: tuple[str, Enrichment]) -> None:
    text, result = long_article
    putin = [a for a in result.actors if a.id == "person:vladimir-putin"]
    assert len(putin) == 1 and len({a.id for a in result.actors}) == len(result.actors)
    starts = [s.start for s in putin[0].spans]
    assert {text[s.start : s.end] for s in putin[0].spans} <= {"Putin", "Vladimir Putin"}
    assert max(starts) - min(starts) > 2 * CHUNK_CHARS  # seen in parts far apart
    assert putin[0].mentions >= len(putin[0].spans) > 10


def test_the_last_paragraphs_keep_their_actors_and_events(
    long_article: tuple[str, Enrichment], enricher: Enricher, seed_article: tuple[str, str]
) -> None:
    text, result = long_article
    title, seed = seed_article
    alone = enricher.enrich(title, seed, PUBLISHED, "seed")
    tail = len(text) - len(seed)
    spans_in_tail = {a.id for a in result.actors if any(s.start >= tail for s in a.spans)}
    assert {a.id for a in alone.actors if a.spans} <= spans_in_tail
    tail_types = {e.type for e in result.events if e.span.start >= tail}
    assert {e.type for e in alone.events} & tail_types


def test_a_short_text_is_one_part_and_unchanged(
    enricher: Enricher, seed_article: tuple[str, str]
) -> None:
    title, text = seed_article
    assert len(text) < CHUNK_CHARS
    whole = enricher.from_docs((title, text, PUBLISHED, "seed"), *enricher.parse([title, text]))
    assert enricher.enrich(title, text, PUBLISHED, "seed") == whole


def test_past_max_chars_only_a_prefix_is_enriched(
    enricher: Enricher, seed_article: tuple[str, str]
) -> None:
    title, text = seed_article
    limited = dataclasses.replace(enricher, max_chars=len(text) // 2)
    kept = limited.enriched(text)
    assert text.startswith(kept) and kept.endswith("\n") and len(kept) <= len(text) // 2
    result = limited.enrich(title, text, PUBLISHED, "seed")
    assert result.events and all(e.span.end <= len(kept) for e in result.events)
    assert all(s.end <= len(kept) for a in result.actors for s in a.spans)
    assert enricher.enriched(text) == text
