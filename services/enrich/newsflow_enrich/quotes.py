"""Direct quotes ("..." with a speaker from a nearby "X said", "said X", "according to X")
and reported quotes ("X said that ...") with their speaker actor.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np
from spacy.attrs import LEMMA
from spacy.strings import StringStore
from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from newsflow_enrich.lexicon import SPEECH
from newsflow_enrich.resolve import Resolver
from newsflow_shared.messages import Quote, Span

_HASH = StringStore()  # string -> hash, the same hashes every Vocab uses
_SPEECH_HASHES = np.array(sorted(_HASH.as_int(w) for w in SPEECH), dtype=np.uint64)

_QUOTE = re.compile(r"“([^”]+)”|\"([^\"\n]+)\"")
_SUBJ = {"nsubj", "nsubjpass"}
# Verbs that introduce a quote besides plain verbs of saying.
_QUOTE_VERBS = SPEECH | {
    "warn",
    "accuse",
    "urge",
    "demand",
    "ask",
    "threaten",
    "vow",
    "deny",
    "reject",
    "promise",
    "complain",
    "joke",
    "agree",
}
_MIN_WORDS = 3


@dataclass
class QuoteSpans:
    """Character ranges of direct quotes and who spoke them, for events and pronouns."""

    starts: list[int]
    ends: list[int]
    speakers: list[str | None]

    def speaker_at(self, char: int) -> str | None:
        """Speaker of the direct quote containing a character offset, if any."""
        k = bisect_right(self.starts, char) - 1
        if k >= 0 and char < self.ends[k]:
            return self.speakers[k]
        return None

    def inside(self, char: int) -> bool:
        """Whether a character offset lies inside a direct quote."""
        k = bisect_right(self.starts, char) - 1
        return k >= 0 and char < self.ends[k]


def speaker_of_verb(verb: Token, resolver: Resolver) -> tuple[list[str], str | None]:
    """Actor ids and surface text of the subject of a verb of saying (or of its head)."""
    for child in verb.children:
        if child.dep_ in _SUBJ:
            ids = resolver.actors(child)
            return ids, " ".join(t.text for t in child.subtree) if not ids else None
    if verb.dep_ in {"conj", "xcomp", "advcl"} and verb.head.i != verb.i:
        return speaker_of_verb(verb.head, resolver)
    return [], None


def according_to(sent: SpacySpan, resolver: Resolver) -> list[str]:
    """Actors named in an "according to X" of the sentence."""
    for tok in sent:
        if tok.lower_ == "according":
            for to in tok.children:
                for pobj in to.children:
                    if pobj.dep_ == "pobj":
                        return resolver.actors(pobj)
    return []


def _name(resolver: Resolver, ids: list[str]) -> str | None:
    return resolver.drafts[ids[0]].name if ids else None


def direct_quotes(doc: Doc, resolver: Resolver) -> tuple[list[Quote], QuoteSpans]:
    """Quoted passages of the text with their speakers."""
    quotes: list[Quote] = []
    spans = QuoteSpans([], [], [])
    previous: list[str] = []
    text = doc.text
    for m in _QUOTE.finditer(text):
        start, end = m.start(), m.end()
        body = m.group(1) or m.group(2) or ""
        speaker: list[str] = []
        fallback_name: str | None = None
        toks = _tokens_in(doc, start, min(end + 1, len(text)))
        first, last = (
            (resolver.sent_index(toks[0].i), resolver.sent_index(toks[-1].i)) if toks else (0, -1)
        )
        for sent in resolver.sents[first : last + 1]:
            for tok in sent:
                if (
                    tok.lemma_ in _QUOTE_VERBS
                    and tok.pos_ == "VERB"
                    and not (start <= tok.idx < end)
                ):
                    speaker, fallback_name = speaker_of_verb(tok, resolver)
                    if not speaker and not fallback_name:
                        speaker = previous  # "... ," told reporters: the last speaker
                    break
            speaker = speaker or according_to(sent, resolver)
            if speaker or fallback_name:
                break
        paragraph_alone = _whole_paragraph(text, start, end)
        if not speaker and not fallback_name and paragraph_alone:
            speaker = previous  # a quote paragraph continues the previous speaker
        spans.starts.append(start)
        spans.ends.append(end)
        spans.speakers.append(speaker[0] if speaker else None)
        if speaker:
            previous = speaker
        if len(body.split()) >= _MIN_WORDS:
            quotes.append(
                Quote(
                    text=body,
                    kind="direct",
                    speaker=speaker[0] if speaker else None,
                    speaker_name=_name(resolver, speaker) or fallback_name,
                    span=Span(start=start, end=end),
                )
            )
    return quotes, spans


def _tokens_in(doc: Doc, start: int, end: int) -> list[Token]:
    span = doc.char_span(start, end, alignment_mode="expand")
    return list(span) if span is not None else []


def _whole_paragraph(text: str, start: int, end: int) -> bool:
    before = text.rfind("\n", 0, start)
    line_start = before + 1
    after = text.find("\n", end)
    line_end = len(text) if after < 0 else after
    return not text[line_start:start].strip() and len(text[end:line_end].strip()) <= 1


def reported_quotes(doc: Doc, resolver: Resolver, spans: QuoteSpans) -> list[Quote]:
    """ "X said that ..." outside direct quotes, with X as speaker."""
    out: list[Quote] = []
    text = doc.text  # a property that rebuilds the string on every access
    # Only speech-verb lemmas matter: find them in one array read, not a Token per word.
    for i in np.flatnonzero(np.isin(doc.to_array(LEMMA), _SPEECH_HASHES)).tolist():
        tok = doc[i]
        if tok.pos_ != "VERB" or spans.inside(tok.idx):
            continue
        for comp in tok.children:
            if comp.dep_ != "ccomp" or comp.i < tok.i:
                continue
            left, right = comp.left_edge, comp.right_edge
            if spans.inside(left.idx) or spans.inside(right.idx):
                continue
            ids, name = speaker_of_verb(tok, resolver)
            if not ids and not name:
                continue
            start, end = left.idx, right.idx + len(right.text)
            out.append(
                Quote(
                    text=text[start:end],
                    kind="reported",
                    speaker=ids[0] if ids else None,
                    speaker_name=_name(resolver, ids) or name,
                    span=Span(start=start, end=end),
                )
            )
    return out
