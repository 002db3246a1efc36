"""The event extractor of one doc: trigger candidates per sentence, the rules' pick per type,
checked (and completed) by the sentence classifier, turned into `Event` messages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np
from spacy.attrs import LEMMA
from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from newsflow_enrich import classify
from newsflow_enrich.events.candidate import Cand, _enough_parties, _group, _pick, _rule_confidence
from newsflow_enrich.events.completion import Completion
from newsflow_enrich.events.roles import Roles
from newsflow_enrich.events.tables import (
    _ANAPHORIC_DETS,
    _CONTENT_VERBS,
    _OTHER_PARTY_TYPES,
    _SOLE_TARGET_TYPES,
    _THREAT_ACTS,
    _TRIGGER_HASHES,
    NEEDS_ACTOR,
    THREAT_CUES,
)
from newsflow_enrich.events.triggers import _instruction, _match, _objects, governing_verb
from newsflow_enrich.lexicon import MODAL_FUTURE, NEED_OBJECTS, NOUNS, SPEECH, VERBS
from newsflow_enrich.quotes import QuoteSpans
from newsflow_enrich.resolve import Resolver
from newsflow_shared.ids import stable_id
from newsflow_shared.lemmas import lemma_string
from newsflow_shared.messages import ActorType, Event, EventType, Span


class EventExtractor(Roles, Completion):
    """Extracts the events of one doc (an article's text, or its title)."""

    def __init__(
        self,
        doc: Doc,
        resolver: Resolver,
        quotes: QuoteSpans,
        published: date | None,
        doc_id: str,
        text_offsets: bool = True,
        classifier: classify.SentenceClassifier | None = None,
        policy: classify.Policy = classify.POLICY,
    ) -> None:
        self.classifier = classifier
        self.policy = policy
        # PETRARCH2 leaves out a whole story that names a sports fixture or star ("world
        # cup", "goalkeeper"): here its events must convince the classifier.
        self.sports = "story" in classify.discard_scopes(doc.text.lower())
        self.doc = doc
        self.r = resolver
        self.quotes = quotes
        self.published = published
        self.doc_id = doc_id
        self.text_offsets = text_offsets
        self.last_by_type: dict[str, Cand] = {}
        self._according: dict[int, list[str]] = {}
        self._named: dict[int, dict[str, int]] = {}

    # ------------------------------------------------------------------ main
    def candidate(self, tok: Token, sent: SpacySpan) -> Cand | None:
        """The event candidate a token triggers, or None."""
        lemma = tok.lemma_.lower()
        is_verb = tok.pos_ == "VERB"
        if is_verb and tok.dep_ == "amod":
            return None  # "a negotiated solution": a description, not an event
        if is_verb and _instruction(tok):
            return None  # "Don't ask your models to pose", "Request a demo": advice
        rules = VERBS.get(lemma) if is_verb else NOUNS.get(lemma) if tok.pos_ == "NOUN" else None
        if not rules:
            return None
        rule = _match(tok, rules)
        if rule is None:
            return None
        type_ = str(rule.type)
        clause = tok if is_verb else (governing_verb(tok)[0] or tok)
        if not self._licensed(tok, type_):
            return None
        if not is_verb and tok.dep_ == "compound":
            return None  # "the murder weapon", "aid groups": a modifier naming a kind
        if type_ == "NEED" and not (NEED_OBJECTS & {t.lemma_.lower() for t in tok.subtree}):
            return None
        if type_ == "WARN":
            comp = {
                t.lemma_.lower()
                for c in tok.children
                if c.dep_ in {"ccomp", "xcomp", "prep"}
                for t in c.subtree
            }
            type_ = "THREATEN" if comp & (THREAT_CUES | MODAL_FUTURE) else "ACCUSE"
        if is_verb:
            source, target = self.verb_args(tok, type_)
        else:
            source, target = self.noun_args(tok, type_)
            dets = {c.lower_ for c in tok.children if c.dep_ == "det"}
            prior = self.last_by_type.get(type_)
            if dets & _ANAPHORIC_DETS and not source and prior is not None:
                symmetric = type_ in {"CONSULT", "AGREE", "COOPERATE"}
                self.r.anaphors[tok.i] = prior.source + (prior.target if symmetric else [])
                return None  # "the strikes", "the meetings": an event already coded
            if tok.dep_ == "dobj" and tok.head.lemma_ in _CONTENT_VERBS:
                return None  # "paused shipments": the shipments are the pause's content
        c = Cand(tok, type_, rule.mode, rule.weight, self._govern(source), self._govern(target))
        c.reported_by = [a for a in self._reporters(tok, sent) if a not in source]
        if type_ == "NEED":
            c.type = "REQUEST"
            if not c.source and c.reported_by:
                c.source, c.reported_by = c.reported_by[-1:], c.reported_by[:-1]
            if not c.source:
                return None
        return self._complete(c, clause, sent)

    def forced(
        self, sent: SpacySpan, type_: str, sure: bool, override: bool = False
    ) -> Cand | None:
        """A candidate of a type the classifier sees in a sentence where no rule coded it.

        The trigger is the first of the sentence's main verbs (`classify.triggers_for`)
        whose arguments name an actor; when none does, the first verb, only if the
        classifier is `sure` ("Over a million people took to the streets"). A rule veto of
        the type stands unless `override` (see `classify.triggers_for`); an overridden
        veto never hangs the event on a verb of saying, and needs a party that is not only a
        place, for a directed type a target ("air defenses destroyed 549 drones" is no
        assault on anyone).
        """
        verbs = classify.triggers_for(sent, type_, override)
        vetoed = override and classify.lexicon_has(sent, type_)
        if vetoed:
            # The rules judged the type's own word here; overriding them hangs the event on
            # what happened, never on the verb of saying ("being used to support ..., LaRose
            # said" is no support by LaRose).
            verbs = [v for v in verbs if v.lemma_.lower() not in SPEECH]
        fallback: Cand | None = None
        for tok in verbs:
            source, target = self.verb_args(tok, type_)
            c = Cand(tok, type_, None, 0.5, self._govern(source), self._govern(target))
            if vetoed and type_ in _SOLE_TARGET_TYPES:
                if c.target:
                    break
                continue
            if vetoed and type_ in NEEDS_ACTOR:
                # Against the rules' judgement, the party the type needs, and not only a
                # place: "used to support needs within the Capital Region" is no support.
                if any(self.r.drafts[a].type != ActorType.LOCATION for a in c.source + c.target):
                    break
                continue
            if c.source or c.target:
                break
            fallback = fallback or c
        else:
            if fallback is None or not sure:
                return None  # an event the classifier sees needs someone the parse names
            c = fallback
        c.reported_by = [a for a in self._reporters(c.tok, sent) if a not in c.source]
        return self._complete(c, c.tok, sent)

    def _licensed(self, tok: Token, type_: str) -> bool:
        """Context a weak trigger needs before it counts as the event at all."""
        lemma = tok.lemma_.lower()
        if lemma == "deny":
            # "denied having sex", "denied the allegations": a statement, not the refusal
            # PLOVER codes; "denied them access" (a dative) is one.
            return any(c.dep_ == "dative" for c in tok.children)
        if lemma == "call" and type_ == "CONSULT" and tok.pos_ == "VERB":
            # "kept calling the city", "a feature it's calling X": only "called Putin" is a
            # phone call between actors.
            return any(self.r.actors(o) for o in _objects(tok))
        if lemma == "threat":
            verb = governing_verb(tok)[0]
            return any(c.dep_ == "poss" for c in tok.children) or (
                verb is not None and verb.lemma_ in _THREAT_ACTS
            )
        return True

    def sentence_candidates(self) -> Iterator[tuple[SpacySpan, list[Cand]]]:
        """Each sentence with the rule candidates its trigger words make."""
        # Only tokens whose lemma is in the lexicon can trigger: find them in one vectorised
        # pass instead of making a Token object for every word (a third of this module's time).
        hits = np.flatnonzero(np.isin(self.doc.to_array(LEMMA), _TRIGGER_HASHES)).tolist()
        k = 0
        for sent in self.r.sents:
            while k < len(hits) and hits[k] < sent.start:
                k += 1
            toks = []
            while k < len(hits) and hits[k] < sent.end:
                toks.append(self.doc[hits[k]])
                k += 1
            yield sent, [c for tok in toks if (c := self.candidate(tok, sent)) is not None]

    def rule_picks(self) -> Iterator[tuple[SpacySpan, list[Cand]]]:
        """Each sentence with the rules' best candidate per type (what the classifier sees)."""
        for sent, cands in self.sentence_candidates():
            yield sent, [_pick(group) for group in _group(cands)]

    def extract(self) -> list[Event]:
        """All events of the doc, one per (sentence, type)."""
        events: list[Event] = []
        if not self.relevant():
            return events
        consult_modes: dict[frozenset[str], str] = {}
        for sent, picks in self.rule_picks():
            if self.classifier is not None:
                scored = self._classified(self.classifier, sent, picks)
            else:
                scored = [(b, _rule_confidence(b)) for b in picks if _enough_parties(b)]
            for best, conf in sorted(scored, key=lambda bc: -bc[1]):
                if best.type == "CONSULT" and not best.negated:
                    # "The hour-long conversation between the two presidents" after "a phone
                    # call with Trump": the same participants, the same channel.
                    parties = frozenset(best.source + best.target)
                    if best.mode is None and parties in consult_modes:
                        best.mode = consult_modes[parties]
                    elif best.mode is not None and len(parties) >= 2:
                        consult_modes.setdefault(parties, best.mode)
                self.dyad(best)
                if not best.target and best.type in _OTHER_PARTY_TYPES:
                    best.target = self._sole_other(sent, best)
                if not best.target:
                    best.target = self._domestic(sent, best)
                if not best.source:
                    best.source = self._sole_country(sent, best)
                events.append(self._event(best, sent, conf))
                if (best.source or best.target) and not (best.negated or best.hypothetical):
                    self.last_by_type[best.type] = best
        return events

    def relevant(self) -> bool:
        """Whether the page may code events at all: a text the page head judges
        (`SentenceClassifier.page_relevance`) must read as reporting an event."""
        p = None if self.classifier is None else self.classifier.page_relevance(self.doc)
        return p is None or p >= self.policy.page

    def _classified(
        self, clf: classify.SentenceClassifier, sent: SpacySpan, picks: list[Cand]
    ) -> list[tuple[Cand, float]]:
        """The rules' events checked by the classifier, plus the type it sees if none did."""
        feats = classify.features(sent, [(c.type, c.weight) for c in picks])
        probs = clf.proba(feats, classify.dense(sent))
        p = dict(zip(clf.classes, probs.tolist(), strict=True))
        policy = self.policy
        sports = self.sports or classify.has_score(sent.text)
        out: list[tuple[Cand, float]] = []
        for c in picks:
            pt = p.get(c.type, 0.0)
            if p[classify.NONE] >= policy.gate and pt < policy.keep:
                continue  # the relevance gate: a trigger word outside any event
            if not _enough_parties(c):
                continue  # the parties its type needs (NEEDS_ACTOR, NEED_PARTIES)
            if (sports or not (c.source or c.target)) and pt < policy.strong:
                continue  # no one named, or sports: only when the classifier is sure
            out.append((c, 0.5 * _rule_confidence(c) + 0.5 * pt))
        best_type = max((t for t in clf.classes if t != classify.NONE), key=p.__getitem__)
        if (
            p[best_type] >= policy.add
            and p[best_type] > p[classify.NONE]
            and all(c.type != best_type for c, _ in out)
        ):
            forced = self.forced(
                sent, best_type, p[best_type] >= policy.strong, p[best_type] >= policy.override
            )
            if forced is not None:
                out.append((forced, p[best_type]))
        return out

    def _event(self, c: Cand, sent: SpacySpan, conf: float) -> Event:
        text = sent.text
        span = (
            Span(start=sent.start_char, end=sent.start_char + len(text))
            if self.text_offsets
            else Span(start=0, end=0)
        )
        return Event(
            id=stable_id(self.doc_id, str(span.start), c.type, c.tok.text, str(self.text_offsets)),
            type=EventType(c.type),
            mode=c.mode,
            source_actors=c.source,
            target_actors=c.target,
            reported_by=c.reported_by,
            trigger=c.tok.text,
            sentence=text,
            sentence_lemmas=lemma_string(sent),
            span=span,
            date=c.date,
            location=c.location,
            confidence=round(min(0.95, max(0.05, conf)), 2),
            negated=c.negated,
            hypothetical=c.hypothetical,
            future=c.future,
        )
