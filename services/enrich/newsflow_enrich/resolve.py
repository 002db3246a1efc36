"""Which actors a token refers to: entity mentions, their modifiers, pronouns, "the two leaders".

Pronoun rules are deliberately shallow (no coreference model, which would cost more than
the whole pipeline): he/she/his/her -> the nearest preceding person; it/its -> the nearest
preceding country or organisation; I/we/our inside a quote -> the quote's speaker;
"the two presidents/leaders" -> the two most-mentioned persons; "the president", "the
Kremlin aide" -> the nearest preceding person holding that role; they/their -> the last
plural subject.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable

import numpy as np
from spacy.attrs import SENT_START
from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from newsflow_enrich import gazetteer as gz
from newsflow_enrich.actors import Draft
from newsflow_enrich.dictionaries import agent_sector
from newsflow_shared.messages import ActorType

_PERSON_PRON = {"he", "she", "him", "her", "his", "hers", "himself", "herself"}
_THING_PRON = {"it", "its", "itself"}
_PLURAL_PRON = {"they", "them", "their", "themselves"}
_FIRST_PERSON = {"i", "me", "my", "we", "us", "our", "ours", "myself", "ourselves"}
_MODIFIER_DEPS = {"compound", "amod", "poss", "nmod"}
_GOVERNMENT_NOUNS = {"administration", "government", "cabinet", "regime", "authority"}
_PAIR_NOUNS = {"president", "leader", "side", "head", "counterpart"}
_PLACE_OF = {"in", "from"}
_PLACE_TYPES = {ActorType.LOCATION, ActorType.COUNTRY}


def sentences(doc: Doc) -> list[SpacySpan]:
    """The sentences of a parsed doc, as `doc.sents` gives them, from one array read
    (`doc.sents` builds a Token object per word: a sixth of the enrichment logic's time)."""
    if not len(doc):
        return []
    starts = np.flatnonzero(doc.to_array(SENT_START) == 1).tolist()
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    ends = [*starts[1:], len(doc)]
    return [doc[s:e] for s, e in zip(starts, ends, strict=True)]


class Resolver:
    """Resolves tokens of one doc to actor ids."""

    def __init__(self, doc: Doc, token_actor: dict[int, str], drafts: dict[str, Draft]) -> None:
        self.doc = doc
        self.token_actor = token_actor
        self.drafts = drafts
        self._persons = sorted(
            (i, a) for i, a in token_actor.items() if drafts[a].type == ActorType.PERSON
        )
        self._bodies = sorted(
            (i, a)
            for i, a in token_actor.items()
            if drafts[a].type in {ActorType.COUNTRY, ActorType.ORGANIZATION, ActorType.GROUP}
        )
        self._person_idx = [i for i, _ in self._persons]
        self._body_idx = [i for i, _ in self._bodies]
        # Sentences and entities once: `tok.sent` and `span.ents` rescan the whole doc.
        self.sents = sentences(doc)
        self.sent_starts = [sent.start for sent in self.sents]
        self.sent_ents: list[list[SpacySpan]] = [[] for _ in self.sents]
        self._ent_at: dict[int, SpacySpan] = {}
        for ent in doc.ents:
            self.sent_ents[self.sent_index(ent.start)].append(ent)
            for k in range(ent.start, ent.end):
                self._ent_at[k] = ent
        self.speaker_at: Callable[[int], str | None] = lambda _char: None
        self.anaphors: dict[int, list[str]] = {}
        self._last_plural: tuple[int, list[str]] = (-1, [])

    def _person_before(self, tok: Token) -> str | None:
        # An object pronoun is not its own clause's subject: "Charles evicted him".
        skip: set[str] = set()
        if tok.dep_ in {"dobj", "dative", "pobj"}:
            verb = tok.head.head if tok.dep_ == "pobj" else tok.head
            for c in verb.children:
                if c.dep_ in {"nsubj", "nsubjpass"}:
                    skip.update(self.token_actor.get(t.i, "") for t in c.subtree)
        k = bisect_left(self._person_idx, tok.i)
        for _i, aid in reversed(self._persons[:k]):
            if aid not in skip:
                return aid
        return None

    def sent_index(self, i: int) -> int:
        """Index in `sents` of the sentence holding token i."""
        return bisect_right(self.sent_starts, i) - 1

    def ent_at(self, i: int) -> SpacySpan | None:
        """The entity covering token i, if any."""
        return self._ent_at.get(i)

    def _before(self, idx: list[int], items: list[tuple[int, str]], i: int) -> str | None:
        k = bisect_left(idx, i)
        return items[k - 1][1] if k > 0 else None

    def one(self, tok: Token) -> list[str]:
        """Actors of one token, without following its conjuncts."""
        aid = self.token_actor.get(tok.i)
        if aid:
            return [aid]
        if tok.i in self.anaphors:
            return self.anaphors[tok.i]
        low = tok.lower_
        if low in _PERSON_PRON:
            found = self._person_before(tok)
            return [found] if found else []
        if low in _THING_PRON:
            found = self._before(self._body_idx, self._bodies, tok.i)
            return [found] if found else []
        if low in _FIRST_PERSON:
            speaker = self.speaker_at(tok.idx)
            return [speaker] if speaker else []
        if low in _PLURAL_PRON:
            return list(self._last_plural[1]) if self._last_plural[0] < tok.i else []
        if tok.pos_ not in {"NOUN", "PROPN"}:
            return []
        dets = {c.lower_ for c in tok.children if c.dep_ in {"det", "nummod"}}
        if tok.lemma_ in _PAIR_NOUNS and tok.tag_ == "NNS" and dets & {"two", "both", "the"}:
            return self.top_persons(2)
        if tok.tag_ == "NN" and dets & {"the"}:
            role_holder = self._role_holder(tok)
            if role_holder:
                return [role_holder]
        out: list[str] = []
        for child in tok.children:
            if child.dep_ in _MODIFIER_DEPS and child.i < tok.i:
                out.extend(a for a in self.one(child) if a not in out)
        if tok.lemma_ in _GOVERNMENT_NOUNS:
            # "his administration" is the government of his country.
            out = [self._country_of(a) for a in out]
        if not out and (tok.lemma_ in gz.PARTY_NOUNS or agent_sector(tok.lemma_)):
            # "Delegations from Armenia and Azerbaijan", "foreign ministers of ASEAN"
            for prep in tok.children:
                if prep.dep_ == "prep" and prep.lower_ in {"of", "from"}:
                    out = [a for g in prep.children if g.dep_ == "pobj" for a in self.actors(g)]
                    break
        if not out and tok.pos_ == "NOUN":
            out = self._of_place(tok)
        return out

    def _of_place(self, tok: Token) -> list[str]:
        """An unnamed party in a named place is of that place: "lawyers in Lahore", "a
        court in Dhaka", "opposition parties in Togo" (the place's actor, with its country)."""
        for prep in tok.children:
            if prep.dep_ != "prep" or prep.lower_ not in _PLACE_OF:
                continue
            for g in prep.children:
                if g.dep_ != "pobj":
                    continue
                places = [
                    a
                    for a in self.actors(g)
                    if self.drafts[a].type in _PLACE_TYPES and self.drafts[a].country
                ]
                if places:
                    return places[:1]
        return []

    def _role_holder(self, tok: Token) -> str | None:
        # "the Kremlin aide", "the president": the nearest preceding person with that role.
        word = tok.lower_
        k = bisect_left(self._person_idx, tok.i)
        for _i, aid in reversed(self._persons[:k]):
            roles = self.drafts[aid].roles
            if any(r.lower().split()[-1] == word for r in roles if r):
                return aid
        return None

    def _country_of(self, actor_id: str) -> str:
        draft = self.drafts[actor_id]
        if draft.type == ActorType.PERSON and draft.country:
            cid = f"country:{draft.country}"
            if cid in self.drafts:
                return cid
        return actor_id

    def top_persons(self, n: int) -> list[str]:
        """The n most-mentioned persons of the article, most mentioned first."""
        persons = [d for d in self.drafts.values() if d.type == ActorType.PERSON]
        persons.sort(key=lambda d: (-d.mentions, d.first))
        return [d.id for d in persons[:n]]

    def actors(self, tok: Token) -> list[str]:
        """Actors of a token and of the tokens coordinated with it ("Moscow and Kyiv")."""
        out = list(self.one(tok))
        for ap in tok.children if tok.i not in self.token_actor else ():
            if ap.dep_ == "appos" and ap.i > tok.i:
                # "Bangladesh's interim leader Muhammad Yunus and Indian Prime Minister
                # Narendra Modi": the apposition names the party the head noun does not, and
                # carries the conjuncts ("Ahmed Sharif, Pakistan's spokesperson" is Sharif).
                out += [a for a in self.actors(ap) if a not in out]
        for conj in tok.conjuncts:
            for a in self.one(conj):
                if a not in out:
                    out.append(a)
        if len(out) >= 2 and tok.dep_ in {"nsubj", "nsubjpass"}:
            self._last_plural = (tok.i, out)  # what a later "they" refers to
        return out
