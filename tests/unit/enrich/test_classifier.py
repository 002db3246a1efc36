"""The learned layer: features, the trigger it hangs events on, the relevance gate, and the
labelled corpus it is trained on."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable

import pytest
from enrich_helpers import only

from helpers import REPO
from newsflow_enrich import classify, evaluate_sentences, training
from newsflow_enrich.actors import sector_of
from newsflow_enrich.core import Enricher
from newsflow_shared.messages import Enrichment

Enrich = Callable[..., Enrichment]


def test_the_committed_model_loads_and_covers_every_type(enricher: Enricher) -> None:
    clf = enricher.classifier
    assert clf is not None
    assert set(clf.classes) == set(training.CLASSES)
    assert clf.coef.shape == (len(clf.classes), len(clf.vocab) + clf.dense_mean.size)


def test_features_carry_lexicon_cameo_and_rule_types(enricher: Enricher) -> None:
    doc = enricher.nlp("Russian forces shelled the city of Kharkiv on Monday.")
    f = classify.features(doc[:], [("ASSAULT", 0.9)])
    assert f["rule=ASSAULT"] == 0.9
    assert "cameo0=ASSAULT" in f or "cameo=ASSAULT" in f  # PETRARCH2: SHELL -> 195
    assert f["l=shell"] == 1.0


def test_cameo_pattern_needs_its_object(enricher: Enricher) -> None:
    # PETRARCH2 codes "sign an agreement" as AGREE; signing a cheque is only the bare verb.
    deal = enricher.nlp("The two governments signed a trade agreement in Hanoi.")
    cheque = enricher.nlp("She signed the cheque.")
    assert "cameo=AGREE" in classify._cameo_types(deal[3], "sign")
    assert "cameo=AGREE" not in classify._cameo_types(cheque[1], "sign")


@pytest.mark.parametrize(
    "text", ["Create a Budget", "Networking Skills", "Average Rating: 4.9", "Bend wires"]
)
def test_no_event_is_hung_on_headings_and_instructions(enricher: Enricher, text: str) -> None:
    doc = enricher.nlp(text)
    assert all(not classify.triggers_for(doc[:], t) for t in training.TYPES)


def test_an_added_event_hangs_on_the_reported_verb_not_the_verb_of_saying(
    enricher: Enricher,
) -> None:
    doc = enricher.nlp(
        "Brazil granted humanitarian visas to 500 Afghan families, the ministry said."
    )
    verbs = classify.triggers_for(doc[:], "COOPERATE")
    assert [v.lemma_ for v in verbs] == ["grant", "say"]


@pytest.mark.parametrize(
    "text",
    [
        # Product reviews, sports, markets, how-to: event words, no event.
        "In our benchmark the new card beats the VEGA 20 graphics with a score of 2072.",
        "Leeds crushed Norwich 4-0 on Saturday as Bamford struck twice in the first half.",
        "Shares of the retailer were hammered after it slashed its profit forecast.",
        "Don't ask your models to pose for you.",
        "Choose Colonial for highly trained movers.",
    ],
)
def test_relevance_gate_keeps_non_political_text_quiet(enrich: Enrich, text: str) -> None:
    r = enrich(text)
    assert not r.events, [(e.type.value, e.trigger, e.confidence) for e in r.events]


def test_a_number_is_not_a_year(enrich: Enrich) -> None:
    r = enrich("Police arrested the suspect, who had posted a score of 2072 online.")
    ev = only(r, "COERCE")  # the arrest is coded; the score is not its date
    assert ev.date.value is None or ev.date.value.year != 2072


def test_agent_nouns_give_sectors() -> None:
    assert sector_of("riot police") == "COP"
    assert sector_of("chief prosecutor") == "JUD"
    assert sector_of("Defense Department") == "GOV"


def test_corpus_lines_are_valid_and_split_by_article() -> None:
    sentences = training.load()
    assert len(sentences) >= 2000
    labels = Counter(s.label for s in sentences)
    assert all(labels[t] >= 40 for t in training.TYPES), labels
    by_origin: dict[str, set[str]] = {}
    for s in sentences:
        by_origin.setdefault(training.origin_key(s.origin, s.id), set()).add(s.split)
    assert all(len(splits) == 1 for splits in by_origin.values())
    splits = Counter(s.split for s in sentences)
    assert 0.1 < splits["test"] / len(sentences) < 0.3


CORPUS = REPO.parent / "shared" / "corpus"


def test_page_labels_are_valid_and_share_their_sentences_split() -> None:
    pages = training.load_pages()
    assert len(pages) >= 700
    assert Counter(p.event_news for p in pages)[True] >= 30
    sentence_split = {training.origin_key(s.origin, s.id): s.split for s in training.load()}
    for page in pages:
        assert page.split == sentence_split.get(page.key, page.split)
    sample = [p for p in pages if p.event_news][:3] + [p for p in pages if not p.event_news][:3]
    assert all(training.page_text(p, CORPUS).strip() for p in sample if p.domain != "other")


def test_page_features_are_normalised_and_carry_discards(enricher: Enricher) -> None:
    doc = enricher.nlp("The goalkeeper saved a penalty. The match ended 2-1 in the world cup.")
    f = classify.page_features(doc)
    assert abs(sum(v * v for v in f.values()) - 1.0) < 1e-6
    assert {"discard=story", "score", "l=goalkeeper"} <= f.keys()


def _page(corpus: str, key: str) -> str:
    page = next(p for p in training.load_pages() if p.key == f"{corpus}#{key}")
    return training.page_text(page, CORPUS)


@pytest.mark.parametrize(
    ("corpus", "key", "reports_events"),
    [
        ("fundus-en/ca/NationalPost.json", "V1_1", True),  # India fires missiles into Pakistan
        ("fundus-en/uk/TheMirror.json", "V1_1", True),  # far-right protesters throw stones
        ("wcxb-dev-articles/ground-truth/0436.json", "", False),  # self-hosting Postgres
        ("fundus-en/uk/iNews.json", "V1", False),  # US Open results
        ("wcxb-dev-articles/ground-truth/1821.json", "", False),  # running shoes guide
    ],
)
def test_page_head_sees_whether_a_page_reports_events(
    enricher: Enricher, corpus: str, key: str, reports_events: bool
) -> None:
    clf = enricher.classifier
    assert clf is not None and clf.page is not None
    p = clf.page_relevance(enricher.nlp(_page(corpus, key)))
    assert p is not None and (p >= enricher.policy.page) == reports_events


def test_a_short_text_is_judged_by_its_sentences_alone(enrich: Enrich) -> None:
    # Below PAGE_MIN_SENTENCES the page head does not gate: one sentence stays an event.
    r = enrich("Russian forces shelled the city of Kharkiv on Monday, Ukrainian officials said.")
    assert [e.type.value for e in r.events] == ["ASSAULT"]


def test_unknown_type_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "text": "t", "event": {"type": "INVADE"}}) + "\n")
    with pytest.raises(ValueError, match=r"bad\.jsonl:1: x: unknown event type 'INVADE'"):
        training.load([bad])


def test_sentence_scoring_counts_silence_and_secondary_types() -> None:
    s = [
        training.parse_line({"id": "a", "text": "x", "event": {"type": "ASSAULT"}}),
        training.parse_line(
            {"id": "b", "text": "y", "event": {"type": "CONSULT"}, "also": ["AGREE"]}
        ),
        training.parse_line({"id": "c", "text": "z", "event": None}),
    ]
    results = [Enrichment(language="en", enricher="t")] * 3  # no events anywhere
    rep = evaluate_sentences.score(s, results)
    assert rep["event_sentences"] == 2
    assert rep["no_event_on_event_sentences"] == 1.0
    assert rep["per_type"]["NONE"]["precision"] == pytest.approx(1 / 3, abs=0.001)


@pytest.mark.parametrize(
    ("text", "type_"),
    [
        # Real sentences of the corpus's training split (fundus-en), coded through the whole
        # enricher: the top event (highest confidence) has the labelled type.
        ("India says official spoke with U.S. Secretary of State Marco Rubio", "CONSULT"),
        ("Pakistan’s prime minister praises military response to Indian jets", "SUPPORT"),
        (
            'Japan\'s prime minister expressed "deep remorse" for wartime forced labour during'
            " a visit to Seoul, a gesture South Korean officials described as meaningful.",
            "CONCEDE",
        ),
        (
            "“The enemy couldn’t even understand what had happened to them” and the Indian"
            " jets turned back, Sharif said.",
            "RETREAT",
        ),
        (
            "Beijing called on restraint from both sides Wednesday morning following India’s"
            " strike into Pakistan.",
            "REQUEST",
        ),
        ("Pakistan summons India’s charge d’affaires called in for protest", "ACCUSE"),
        ("Crutch among items thrown as Plymouth scenes continue to fester", "PROTEST"),
        (
            "India has moved to punish Pakistan after accusing it of backing the attack in"
            " Pahalgam, which Islamabad denies.",
            "SANCTION",
        ),
        (
            "In a speech to Parliament, Sharif said the Pakistan Air Force had been on high"
            " alert since India falsely tried to implicate Pakistan in the April 22 attack on"
            " tourists in Indian-administered Kashmir.",
            "MOBILIZE",
        ),
        ("At first, Indian forces did not allow him to reach the accident site.", "COERCE"),
        (
            "India fires missiles into Pakistani-controlled territory, killing at least 26",
            "ASSAULT",
        ),
    ],
)
def test_top_event_type_on_real_sentences(enrich: Enrich, text: str, type_: str) -> None:
    r = enrich(text, published=None)
    assert r.events, "no event"
    top = max(r.events, key=lambda e: e.confidence)
    assert top.type.value == type_, [(e.type.value, e.trigger, e.confidence) for e in r.events]
