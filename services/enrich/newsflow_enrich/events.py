"""Sentence-level events from the dependency parse and the trigger lexicon.

For each trigger token: its PLOVER type (conditions on objects/particles), source and target
actors from the parse (subjects, passive agents, objects, "with/against/on X", conjuncts,
the subject of the verb governing a noun trigger), who reports it (verbs of saying above
it, "according to X", the speaker of the quote it sits in), negation, hypothetical and
future flags, mode cues, date and location. One event per (sentence, type): the trigger
highest in the tree wins and the others fill in what it lacks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from spacy.attrs import LEMMA
from spacy.strings import StringStore
from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from newsflow_enrich import classify
from newsflow_enrich import dates as dt
from newsflow_enrich.lexicon import (
    INTENT,
    MODAL_FUTURE,
    MODAL_HYPO,
    MODE_CUES,
    NEED_OBJECTS,
    NOUNS,
    SPEECH,
    VERBS,
    Trigger,
)
from newsflow_enrich.quotes import QuoteSpans, according_to, speaker_of_verb
from newsflow_enrich.resolve import Resolver
from newsflow_shared.ids import stable_id
from newsflow_shared.lemmas import lemma_string
from newsflow_shared.messages import ActorType, Event, EventDate, EventType, Span

T = EventType
TARGET_PREPS: dict[str, set[str]] = {
    "CONSULT": {"with"},
    "AGREE": {"with"},
    "COOPERATE": {"with"},
    "ASSAULT": {"on", "against", "at", "into", "across", "upon"},
    "ACCUSE": {"against", "at", "with", "of"},
    "REJECT": {"from"},
    "THREATEN": {"against"},
    "PROTEST": {"against"},
    "SANCTION": {"on", "against", "to", "for"},
    "AID": {"to", "for"},
    "REQUEST": {"on", "from"},
    "RETREAT": {"from"},
    "COERCE": {"on", "against"},
    "MOBILIZE": {"against"},
    "SUPPORT": {"for"},
    "CONCEDE": {"to"},
}
SOURCE_PREPS = {"by", "from"}
NEGATING_VERBS = {
    "refuse",
    "deny",
    "fail",
    "reject",
    "decline",
    "avoid",
    "rule",
    "halt",
    "stop",
    "cancel",
    "postpone",
}
TOPIC_VERBS = {
    "discuss",
    "talk",
    "negotiate",
    "call",
    "urge",
    "demand",
    "ask",
    "need",
    "require",
    "seek",
    "propose",
    "consider",
    "debate",
    "request",
} | INTENT
HYPO_NOUN_MODS = {
    "possible",
    "potential",
    "proposed",
    "planned",
    "future",
    "prospective",
    "possibility",
    "prospect",
    "idea",
    "chance",
    "plan",
    "proposal",
}
THREAT_CUES = {
    "retaliate",
    "retaliation",
    "consequence",
    "response",
    "respond",
    "strike",
    "attack",
    "sanction",
    "punish",
    "force",
    "war",
    "destroy",
    "hit",
}
_SUBJ = {"nsubj", "csubj"}
# Directed types whose missing target is the sentence's one other party (`_sole_other`).
_SOLE_TARGET_TYPES = {"SANCTION", "ASSAULT", "COERCE", "THREATEN", "ACCUSE"}
# Prepositions that place an event ("in Kharkiv", "through Belgrade", "outside parliament").
_PLACE_PREPS = {"in", "at", "through", "across", "outside", "near", "around"}
# Types whose unnamed actors ("protesters marched", "gunmen killed", "police arrested") are
# of the place.
_PLACE_SOURCE_TYPES = {
    "PROTEST",
    "ASSAULT",
    "COERCE",
    "MOBILIZE",
    "REQUEST",
    "REJECT",
    "ACCUSE",
    "THREATEN",
}
_PLACE_MODS = {"poss", "compound", "amod"}
_NUMERIC_ENTS = {"CARDINAL", "QUANTITY", "ORDINAL", "DATE", "TIME", "PERCENT", "MONEY"}
# Directed types whose unnamed victims ("killed 35 civilians in Goma") are of the place.
_PLACE_TARGET_TYPES = {"ASSAULT", "COERCE", "RETREAT", "AID", "CONCEDE"}
_NEG_PREPS = {"of", "for", "to", "with", "on", "about", "toward", "towards"}
_NEG_CLIMB = {
    "advcl",
    "xcomp",
    "acl",
    "dobj",
    "pobj",
    "prep",
    "conj",
    "attr",
    "compound",
    "amod",
    "nmod",
    "appos",
    "pcomp",
}
_OBJ = {"dobj", "dative", "attr", "oprd"}
_DATE_CLIMB = {"prep", "pobj", "advmod", "npadvmod", "amod", "nummod", "compound"}
_OBJECT_MODE_TYPES = {"SANCTION", "AID", "ASSAULT", "RETREAT", "COOPERATE"}
_REQUEST_VERBS = {
    "urge",
    "ask",
    "demand",
    "call",
    "press",
    "request",
    "encourage",
    "tell",
    "implore",
    "appeal",
    "plead",
    "invite",
}
_NON_AGENTIVE = {
    "be",
    "come",
    "happen",
    "occur",
    "follow",
    "remain",
    "seem",
    "become",
    "result",
    "take",
    "continue",
    "mark",
    "amid",
}
_CONTENT_VERBS = {
    "pause",
    "halt",
    "suspend",
    "freeze",
    "cut",
    "stop",
    "withhold",
    "block",
    "delay",
    "cancel",
    "end",
    "resume",
    "lift",
    "ease",
    "launch",
    "impose",
}
# Cooperative and verbal types are only events between actors: with neither a source nor a
# target named ("support livelihoods", "aid groups", "a meeting was held") the word is
# almost never a codable event (on the dev sets about 1 in 12 such triggers was). Violent,
# legal and protest events are kept without actors: the gold labels them with unnamed agents.
NEEDS_ACTOR = {"AID", "SUPPORT", "CONSULT", "AGREE", "COOPERATE", "THREATEN", "REJECT", "CONCEDE"}
# Cooperation takes two: with one party named it is almost always something else.
NEED_PARTIES = {"COOPERATE"}
# Verbs whose direct object is what is talked about; the other party comes with "with".
_TOPIC_OBJECT = {"discuss", "negotiate", "debate"}
# Verbs that make a "threat" noun an act of threatening ("issued a threat"); elsewhere the
# noun mostly names a danger ("poses a threat to", "the biggest threat").
_THREAT_ACTS = {"issue", "make", "repeat", "renew", "deliver", "carry", "escalate", "level"}
# Strikes that are not military: a bird hitting a plane, workers or hunger strikers.
_NON_MILITARY_STRIKES = {
    "bird",
    "hunger",
    "general",
    "rail",
    "labour",
    "labor",
    "worker",
    "teacher",
    "nurse",
    "doctor",
    "union",
}
# Noun triggers whose "of" complement is the one acted upon ("the invasion of Ukraine").
# ("the support of X" is X's support: SUPPORT is not among them.)
_OF_PATIENT = {"ASSAULT", "COERCE", "ACCUSE", "SANCTION", "THREATEN", "PROTEST"}
# Coercion nouns whose possessor undergoes them ("Khan's arrest"; but "Israel's blockade").
_PATIENT_POSS = {
    "arrest",
    "detention",
    "imprisonment",
    "conviction",
    "eviction",
    "deportation",
    "expulsion",
}
_HASH = StringStore()  # string -> hash, the same hashes every Vocab uses
# Hashes of every trigger lemma, in the casings a tagger may give a lemma.
_TRIGGER_HASHES = np.array(
    sorted(
        {
            _HASH.as_int(form)
            for lemma in set(VERBS) | set(NOUNS)
            for form in (lemma, lemma.capitalize(), lemma.upper())
        }
    ),
    dtype=np.uint64,
)
_ANAPHORIC_DETS = {"the", "these", "those", "this", "that", "such"}
_CLIMB = {
    "dobj",
    "pobj",
    "prep",
    "conj",
    "appos",
    "attr",
    "npadvmod",
    "compound",
    "pcomp",
    "nsubjpass",
    "agent",
    "dative",
    "acomp",
    "amod",
}


@dataclass
class Cand:
    """A trigger being turned into an event."""

    tok: Token
    type: str
    mode: str | None
    weight: float
    source: list[str] = field(default_factory=list)
    target: list[str] = field(default_factory=list)
    reported_by: list[str] = field(default_factory=list)
    negated: bool = False
    hypothetical: bool = False
    future: bool = False
    date: EventDate = field(default_factory=EventDate)
    location: str | None = None


def _objects(tok: Token) -> list[Token]:
    objs = [c for c in tok.children if c.dep_ in _OBJ or c.dep_ == "nsubjpass"]
    if tok.pos_ == "NOUN":
        objs += [c for c in tok.children if c.dep_ in {"compound", "amod"}]
        objs += [g for c in tok.children if c.lower_ == "of" for g in c.children]
    return objs


def _object_lemmas(tok: Token) -> set[str]:
    out: set[str] = set()
    for obj in _objects(tok):
        out.add(obj.lemma_.lower())
        for c in obj.children:
            if c.dep_ in {"compound", "amod", "prep", "conj"}:
                out.add(c.lemma_.lower())
                out.update(g.lemma_.lower() for g in c.children if g.dep_ in {"pobj", "compound"})
    return out


def _particles(tok: Token) -> set[str]:
    if tok.pos_ == "NOUN":  # "calls from Kyiv ... and European leaders for a ceasefire"
        return {t.lower_ for t in tok.subtree if t.dep_ == "prep"}
    out = {c.lower_ for c in tok.children if c.dep_ in {"prt", "prep"}}
    # "told Kyiv to stop", "declined to comment": the "to" of an infinitive complement.
    # (The trigger's own "to", as in "to give", says nothing about its sense.)
    if any(c.dep_ == "xcomp" and any(a.lower_ == "to" for a in c.children) for c in tok.children):
        out.add("to")
    return out


def _match(tok: Token, rules: list[Trigger]) -> Trigger | None:
    for rule in rules:
        if rule.prt is not None and not (rule.prt & _particles(tok)):
            continue
        if rule.obj is not None and not (rule.obj & _object_lemmas(tok)):
            continue
        if (
            tok.lemma_ == "call"
            and rule.type == T.CONSULT
            and tok.pos_ == "VERB"
            and (
                not _objects(tok) or any(c.dep_ in {"oprd", "xcomp", "ccomp"} for c in tok.children)
            )
        ):
            continue  # "called him a liar", "called it ...": not a phone call
        if tok.lemma_ == "ask" and (
            any(c.dep_ in {"auxpass", "nsubjpass"} for c in tok.children)
            or tok.dep_ == "advcl"
            or _object_lemmas(tok) & {"question", "comment"}
        ):
            continue  # "when asked about it", "asked questions": journalism, not a request
        if _idiom(tok):
            return None
        if (
            tok.lemma_ == "call"
            and tok.pos_ == "VERB"
            and any(c.dep_ in {"oprd", "xcomp", "ccomp"} for c in tok.children)
            and not _particles(tok) & {"for", "on"}
        ):
            return Trigger(T.ACCUSE, None, None, None, 0.7)  # "calling them a propaganda show"
        if tok.lemma_ == "back" and _particles(tok) & {"down", "off", "away"}:
            return Trigger(T.CONCEDE, None, None, None, 0.8)
        return rule
    return None


def _idiom(tok: Token) -> bool:
    """Uses of a trigger word that are not the event ("killed himself", "struck down a
    ruling", "a request for comment", "in charge", "plead guilty", "hit a target")."""
    lemma = tok.lemma_
    kids = {c.lower_ for c in tok.children}
    objs = {o.lower_ for o in _objects(tok)}
    if objs & {"himself", "herself", "themselves", "itself"} and lemma in {"kill", "shoot"}:
        return True
    if _sense_idiom(tok, lemma):
        return True
    if lemma in {"strike", "hit", "shoot"} and (
        kids & {"down"} or _object_lemmas(tok) & {"target", "record", "high", "low", "note"}
    ):
        return True
    if lemma in {"request", "plea", "appeal", "call"} and any(
        t.lower_ == "comment" for t in tok.subtree
    ):
        return True
    if lemma == "plead" or (
        lemma == "plea" and "bargain" in {t.lower_ for t in tok.head.children} | {tok.head.lower_}
    ):
        return True
    if lemma == "appeal" and tok.pos_ == "NOUN" and not kids & {"for", "to"}:
        return True  # a court appeal or a product's appeal, not a plea
    return lemma == "charge" and tok.head.lower_ == "in"


def _sense_idiom(tok: Token, lemma: str) -> bool:
    """Other senses of assault words: "bird strike", "hunger strike", "kill time", "shot up",
    "captured footage", air defences "destroyed 549 drones" (an interception)."""
    mods = {c.lemma_.lower() for c in tok.children if c.dep_ in {"compound", "amod"}}
    objs = _object_lemmas(tok) if tok.pos_ == "VERB" else set()
    if lemma == "strike" and tok.pos_ == "NOUN":
        return bool(mods & _NON_MILITARY_STRIKES) or tok.head.lower_ == "on"
    if lemma == "kill":
        return "time" in objs
    if lemma == "shoot":
        return any(c.lower_ == "up" for c in tok.children)
    if lemma == "capture":
        return bool(objs & {"photo", "image", "video", "footage", "recording", "moment", "picture"})
    if lemma in {"destroy", "down", "intercept"}:
        # "destroyed and jammed 549 drones": the object may hang from the conjoined verb.
        objs |= {o for c in tok.children if c.dep_ == "conj" for o in _object_lemmas(c)}
        return bool(objs & {"drone", "missile", "rocket", "projectile", "uav"})
    return False


def governing_verb(tok: Token) -> tuple[Token | None, str]:
    """The verb a noun hangs from, and the dependency by which the path leaves that verb."""
    t, dep = tok, tok.dep_
    while t.pos_ not in {"VERB", "AUX"} and t.dep_ in _CLIMB and t.head.i != t.i:
        dep = t.dep_
        t = t.head
    return (t, dep) if t.pos_ in {"VERB", "AUX"} and t.i != tok.i else (None, dep)


def _direct(tok: Token, verb: Token) -> bool:
    """Whether a noun is the verb's object, or the object of a preposition on the verb."""
    if verb.lemma_ in _NON_AGENTIVE:
        return False
    while tok.head.i != tok.i and (
        tok.dep_ == "conj" or (tok.head.lower_ == "of" and tok.head.head.pos_ == "NOUN")
    ):
        # "two rounds of talks", "a wave of strikes": the quantity noun stands in.
        tok = tok.head if tok.dep_ == "conj" else tok.head.head
    if tok.head.i == verb.i:
        return tok.dep_ in {"dobj", "attr", "dative", "oprd"}
    return tok.dep_ == "pobj" and tok.head.head.i == verb.i


class EventExtractor:
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

    # ------------------------------------------------------------------ actors
    def subjects(self, v: Token, depth: int = 0) -> tuple[list[str], bool]:
        """Source actors of a verb, and whether it is passive."""
        passive = any(c.dep_ == "nsubjpass" for c in v.children)
        for c in v.children:
            if c.dep_ == "agent":
                return [a for g in c.children for a in self.r.actors(g)], True
        for c in v.children:
            if c.dep_ in _SUBJ:
                if c.tag_ in {"WDT", "WP"} and v.dep_ == "relcl":
                    return self.r.actors(v.head), passive
                return self.r.actors(c), passive
        if passive:
            return [], True
        if v.dep_ == "xcomp" and v.head.i != v.i:
            # Object control: "urged NATO to provide", "told Kyiv to stop": NATO provides.
            objs = [c for c in v.head.children if c.dep_ in {"dobj", "dative"}]
            if objs:
                return self.r.actors(objs[0]), False
        if depth < 3 and v.dep_ in {"xcomp", "conj", "advcl"} and v.head.i != v.i:
            return self.subjects(v.head, depth + 1)[0], False
        if v.dep_ in {"relcl", "acl"}:
            return self.r.actors(v.head), False
        return [], False

    def targets(self, tok: Token, type_: str, passive: bool) -> list[str]:
        """Target actors: objects, passive subjects, and the type's prepositions."""
        out: list[str] = []
        preps = TARGET_PREPS.get(type_, set())
        for c in tok.children:
            if c.dep_ in _OBJ and tok.lemma_ in _TOPIC_OBJECT:
                continue  # "discussing Ukraine": the topic, not the other party
            if c.dep_ in _OBJ or (passive and c.dep_ == "nsubjpass"):
                out += self.r.actors(c)
                out += [
                    a
                    for p in c.children
                    if p.dep_ == "prep" and p.lower_ in preps
                    for g in p.children
                    for a in self.r.actors(g)
                ]
            elif c.dep_ == "prep" and c.lower_ in preps:
                out += [a for g in c.children if g.dep_ == "pobj" for a in self.r.actors(g)]
        if not out and tok.pos_ == "VERB":
            # "threatened to retaliate against Seoul": the target sits in the complement.
            for c in tok.children:
                if c.dep_ == "xcomp":
                    out += self.targets(c, "ASSAULT" if type_ == "THREATEN" else type_, False)
        return list(dict.fromkeys(out))

    def noun_args(self, tok: Token, type_: str) -> tuple[list[str], list[str]]:
        """Source and target of a noun trigger ("Russian attacks on Kyiv", "calls from X")."""
        source: list[str] = []
        target: list[str] = []
        preps = TARGET_PREPS.get(type_, set())
        for c in tok.children:
            if c.dep_ in {"poss", "compound", "amod", "nmod"} and c.i < tok.i:
                # "the Paris agreement", "the Istanbul talks": a place naming the event is
                # not a party to it (a possessive "Kyiv's request" still is).
                source += [
                    a
                    for a in self.r.actors(c)
                    if c.dep_ == "poss" or self.r.drafts[a].type != ActorType.LOCATION
                ]
            elif c.dep_ == "prep":
                objs = [a for g in c.children if g.dep_ == "pobj" for a in self.r.actors(g)]
                if c.lower_ in SOURCE_PREPS and type_ not in {"RETREAT"}:
                    source += objs
                elif c.lower_ == "between" and objs:
                    source += objs  # "talks between Moscow and Kyiv": both take part
                elif c.lower_ in preps or (c.lower_ == "of" and type_ in _OF_PATIENT):
                    target += objs  # "Russia's invasion of Ukraine", "the arrest of X"
        if (
            tok.lemma_ in _PATIENT_POSS
            and not target
            and not any(c.dep_ == "prep" and c.lower_ in SOURCE_PREPS for c in tok.children)
        ):
            # "Khan's arrest", "his eviction": the possessor of a coercion noun undergoes it.
            poss = [a for c in tok.children if c.dep_ == "poss" for a in self.r.actors(c)]
            source, target = [a for a in source if a not in poss], poss
        verb, _dep = governing_verb(tok)
        if verb is not None and not source and verb.lemma_ in _NON_AGENTIVE:
            # "The meetings resulted in prisoner exchanges": the earlier event's parties.
            for c in verb.children:
                if c.dep_ == "nsubj" and c.i in self.r.anaphors:
                    source = list(self.r.anaphors[c.i])
        if verb is not None and _direct(tok, verb):
            if not source:
                source = self.subjects(verb)[0]
            if not target and type_ in TARGET_PREPS:
                target = [a for a in self.targets(verb, type_, False) if a not in source]
        return list(dict.fromkeys(source)), [a for a in dict.fromkeys(target) if a not in source]

    def _govern(self, ids: list[str]) -> list[str]:
        # A city that is struck or visited stands for its country when the article has it.
        out = []
        for aid in ids:
            draft = self.r.drafts[aid]
            country = f"country:{draft.country}"
            if draft.type == ActorType.LOCATION and draft.country and country in self.r.drafts:
                aid = country
            if aid not in out:
                out.append(aid)
        return out

    # ------------------------------------------------------------------ flags
    def _negated(self, tok: Token, clause: Token) -> bool:
        # Climb from the trigger through its phrase and control verbs ("has not imposed
        # sanctions nor taken steps to pressure X"), stopping at clause boundaries.
        t = tok
        for _ in range(6):
            if any(c.dep_ == "neg" or c.lower_ in {"never", "no"} for c in t.children):
                return True
            if t.head.lower_ == "without":
                return True
            if t.head.i == t.i or t.dep_ not in _NEG_CLIMB:
                return False
            if t.dep_ == "prep" and t.lower_ not in _NEG_PREPS:
                return False  # "didn't make progress during his call": the call happened
            if t.dep_ == "conj":
                cc = {c.lower_ for c in t.children if c.dep_ in {"cc", "preconj"}}
                cc |= {c.lower_ for c in t.head.children if c.dep_ == "cc"}
                if not cc & {"nor", "or"}:
                    return False
            elif t.dep_ == "xcomp" and t.head.lemma_ in NEGATING_VERBS:
                return True
            elif t.dep_ == "advcl" and not any(c.lower_ == "to" for c in t.children):
                return False  # only purpose clauses ("taken steps to pressure X") inherit
            t = t.head
        return False

    def _modality(self, tok: Token, clause: Token, type_: str) -> tuple[bool, bool]:
        hypo = future = False
        t = clause
        for step in range(4):
            auxes = {c.lower_ for c in t.children if c.dep_ in {"aux", "auxpass"}}
            if step == 0 and type_ != "NEED":
                hypo |= bool(auxes & MODAL_HYPO)
                future |= bool(auxes & MODAL_FUTURE) or "going" in auxes
            if any(
                c.dep_ == "mark" and c.lower_ in {"if", "unless", "whether"} for c in t.children
            ):
                hypo = True
            if t.dep_ not in {"xcomp", "advcl", "conj", "ccomp", "pcomp"} or t.head.i == t.i:
                break
            head = t.head
            if t.dep_ == "xcomp" and head.lemma_ in INTENT:
                future = True
            if t.dep_ == "xcomp" and head.lemma_ in _REQUEST_VERBS:
                hypo = True  # "urged NATO to provide": asked for, not done
            if head.lemma_ in SPEECH:
                break
            t = head
        if tok.pos_ == "NOUN":
            mods = {c.lemma_.lower() for c in tok.children}
            hypo |= bool(mods & HYPO_NOUN_MODS) or tok.head.head.lemma_ in HYPO_NOUN_MODS
            verb, _dep = governing_verb(tok)
            if verb is not None and verb.lemma_ in TOPIC_VERBS and verb.i != tok.i:
                hypo = True
        return hypo, future

    def _reporters(self, tok: Token, sent: SpacySpan) -> list[str]:
        out: list[str] = []
        t = tok
        while t.head.i != t.i:
            head = t.head
            if head.lemma_ in SPEECH and t.dep_ in {"ccomp", "parataxis", "dobj"}:
                out += speaker_of_verb(head, self.r)[0]
            t = head
        for c in t.children:  # root: "Russia attacked Kyiv, officials said"
            if c.dep_ == "parataxis" and c.lemma_ in SPEECH:
                out += speaker_of_verb(c, self.r)[0]
        if sent.start not in self._according:
            self._according[sent.start] = according_to(sent, self.r)
        out += self._according[sent.start]
        quoted = self.quotes.speaker_at(tok.idx)
        if quoted:
            out.append(quoted)
        return list(dict.fromkeys(out))

    # ------------------------------------------------------------------ date, place, mode
    def _date(self, tok: Token, clause: Token, sent: SpacySpan, future: bool) -> EventDate:
        best: tuple[int, int, EventDate] | None = None
        for ent in self.r.sent_ents[self.r.sent_index(sent.start)]:
            if ent.label_ not in {"DATE", "TIME"} or not _date_like(ent):
                continue
            resolved = dt.resolve(ent.text, self.published, future=future)
            if resolved is None:
                continue
            attach = ent.root.head
            while (
                attach.dep_ in _DATE_CLIMB and attach.head.i != attach.i and attach.pos_ != "VERB"
            ):
                attach = attach.head
            if attach.i in {tok.i, clause.i}:
                score = 3
            elif attach in tok.ancestors or attach in clause.ancestors:
                score = 2
            elif tok in attach.ancestors or clause in attach.ancestors:
                score = 1
            else:
                continue
            cand = (score, -abs(ent.start - tok.i), resolved)
            if best is None or cand[:2] > best[:2]:
                best = cand
        if best is not None:
            return best[2]
        relative = self._relative_date(clause)
        return relative if relative is not None else EventDate()

    def _relative_date(self, clause: Token) -> EventDate | None:
        # "came just a day after X paused ...": X happened a day before the main clause.
        for c in clause.children:
            if c.lower_ in {"after", "before"} and c.dep_ in {"mark", "prep"}:
                for d in c.children:
                    if d.dep_ == "npadvmod" and d.ent_type_ == "DATE" and self.published:
                        span = self.doc[d.left_edge.i : d.i + 1]
                        days = dt.duration_days(span.text)
                        if days is None:
                            continue
                        sign = -1 if c.lower_ == "after" else 1
                        value = date.fromordinal(self.published.toordinal() + sign * days)
                        return EventDate(value=value, granularity="day", text=span.text)
        return None

    def _place(self, tok: Token, clause: Token) -> SpacySpan | None:
        """Where: "in/at/through <place>" on the trigger or its clause, else on their objects
        ("protested against the government in Brussels": the parse hangs it on "government")."""
        heads = [tok, clause]
        heads += [
            g
            for t in (tok, clause)
            for c in t.children
            if c.dep_ in _OBJ or c.dep_ == "prep"
            for g in ([c] if c.dep_ in _OBJ else c.children)
        ]
        for t in heads:
            for c in t.children:
                if c.dep_ == "prep" and c.lower_ in _PLACE_PREPS:
                    for g in c.children:
                        # "in Kharkiv", "in Pakistan's Swat district", "in the Gaza Strip"
                        for p in (g, *(m for m in g.children if m.dep_ in _PLACE_MODS)):
                            ent = self.r.ent_at(p.i)
                            if ent is not None and ent.label_ in {"GPE", "LOC", "FAC"}:
                                return ent
        return None

    def _unnamed_parties(self, c: Cand, place: SpacySpan | None) -> None:
        """An unnamed group ("tens of thousands of people", "protesters", "a man") as the
        subject or object of an event in a named place is of that place: "Tens of thousands
        of people marched through Belgrade" is a protest by Serbians. The place's actor
        stands in for the party the sentence leaves unnamed."""
        actor = None if place is None else self.r.token_actor.get(place.root.i)
        if actor is None or self.r.drafts[actor].country is None:
            return
        if (
            not c.source
            and c.type in _PLACE_SOURCE_TYPES
            and any(_unnamed(s) for s in c.tok.children if s.dep_ in _SUBJ)
        ):
            c.source = [actor]
        if (
            not c.target
            and c.type in _PLACE_TARGET_TYPES
            and any(_unnamed(o) for o in _objects(c.tok))
        ):
            c.target = [actor]

    def _mode(self, c: Cand) -> str | None:
        cues = MODE_CUES.get(c.type, {})
        tok = c.tok
        if tok.lemma_.lower() in cues and c.type != "SANCTION":
            return cues[tok.lemma_.lower()]
        near = [m for m in tok.children if m.dep_ in {"compound", "amod", "nmod", "npadvmod"}]
        near += [cj for m in list(near) for cj in m.conjuncts]
        near += [
            g
            for m in tok.children
            if m.dep_ == "prep" and m.lower_ in {"with", "by", "of"}
            for g in m.subtree
        ]
        if c.type in _OBJECT_MODE_TYPES:
            near += [g for o in _objects(tok) for g in o.subtree][:12]
        for m in near:
            mode = cues.get(m.lemma_.lower())
            if mode:
                return mode
        return c.mode

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
            source, passive = self.subjects(tok)
            target = [a for a in self.targets(tok, type_, passive) if a not in source]
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

    def _complete(self, c: Cand, clause: Token, sent: SpacySpan) -> Cand:
        """Flags, mode, date and location of a candidate whose type and actors are set."""
        tok = c.tok
        c.negated = self._negated(tok, clause)
        c.hypothetical, c.future = self._modality(tok, clause, c.type)
        c.mode = self._mode(c)
        c.date = self._date(tok, clause, sent, c.future)
        place = self._place(tok, clause)
        c.location = None if place is None else place.text
        self._unnamed_parties(c, place)
        return c

    def forced(
        self, sent: SpacySpan, type_: str, sure: bool, override: bool = False
    ) -> Cand | None:
        """A candidate of a type the classifier sees in a sentence where no rule coded it.

        The trigger is the first of the sentence's main verbs (`classify.triggers_for`)
        whose arguments name an actor; when none does, the first verb, only if the
        classifier is `sure` ("Over a million people took to the streets"). A rule veto of
        the type stands unless `override` (see `classify.triggers_for`); an overridden
        directed event needs a target party ("air defenses destroyed 549 drones" is no
        assault on anyone).
        """
        verbs = classify.triggers_for(sent, type_, override)
        vetoed = override and classify.lexicon_has(sent, type_)
        fallback: Cand | None = None
        for tok in verbs:
            source, passive = self.subjects(tok)
            target = [a for a in self.targets(tok, type_, passive) if a not in source]
            c = Cand(tok, type_, None, 0.5, self._govern(source), self._govern(target))
            if vetoed and type_ in _SOLE_TARGET_TYPES:
                if c.target:
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
                if not best.target and best.type in _SOLE_TARGET_TYPES:
                    best.target = self._sole_other(sent, best)
                events.append(self._event(best, sent, conf))
                if (best.source or best.target) and not (best.negated or best.hypothetical):
                    self.last_by_type[best.type] = best
        return events

    def _sole_other(self, sent: SpacySpan, c: Cand) -> list[str]:
        """The target of a directed event the parse gave none, when the sentence names
        exactly one other party (a country, group or organisation, after metonyms): "While
        Trump has expressed frustration with Russia's aggression, his administration has not
        imposed new sanctions" is aimed at Russia. Several candidates: none."""
        taken = set(c.source) | set(c.reported_by)
        taken |= {f"country:{self.r.drafts[a].country}" for a in taken if self.r.drafts[a].country}
        found = [self.r.token_actor.get(i) for i in range(sent.start, sent.end)]
        others = {
            a
            for a in self._govern([f for f in found if f is not None])
            if a not in taken and self.r.drafts[a].type != ActorType.PERSON
        }
        return sorted(others) if len(others) == 1 else []

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


_IMPERATIVE_BLOCKERS = {"nsubj", "nsubjpass", "csubj", "expl"}


def _unnamed(tok: Token) -> bool:
    """A party the text does not name: a common noun or number phrase with no entity in
    it ("protesters", "tens of thousands of people", "a man", "35 civilians")."""
    if tok.pos_ not in {"NOUN", "NUM"}:
        return False
    return not any(t.ent_type_ and t.ent_type_ not in _NUMERIC_ENTS for t in tok.subtree)


def _instruction(tok: Token) -> bool:
    """An imperative: a bare verb heading its sentence with no subject and no auxiliary
    but "do" ("Request a demo", "Don't ask your models")."""
    if tok.tag_ != "VB" or tok.dep_ != "ROOT":
        return False
    return not any(
        c.dep_ in _IMPERATIVE_BLOCKERS or (c.dep_ == "aux" and c.lower_ != "do")
        for c in tok.children
    )


def _date_like(ent: SpacySpan) -> bool:
    """A bare four-digit number is a year only after a word that introduces one ("in 2019",
    "since 2014"): "a score of 2072" or "2,072 points" tagged DATE are not dates."""
    if not (len(ent) == 1 and ent[0].like_num and len(ent.text) == 4):
        return True
    prev = ent.doc[ent.start - 1].lower_ if ent.start > 0 else ""
    return prev in dt.YEAR_INTRODUCERS


def _rule_confidence(c: Cand) -> float:
    """The rules' own confidence: actors named, a verb trigger, the trigger's prior."""
    n_actors = bool(c.source) + bool(c.target)
    conf = (0.45 + 0.15 * n_actors + (0.1 if c.tok.pos_ == "VERB" else 0.0)) * c.weight
    return conf - (0.05 if c.reported_by else 0.0)


def _enough_parties(c: Cand) -> bool:
    """Whether the event names the actors its type needs (NEEDS_ACTOR, NEED_PARTIES)."""
    parties = len(set(c.source + c.target))
    if c.type in NEED_PARTIES or (c.type == "AGREE" and c.tok.pos_ == "NOUN"):
        return parties >= 2  # "the Paris agreement", "Sweden swapped X for Y"
    return parties >= 1 or c.type not in NEEDS_ACTOR


def _group(cands: list[Cand]) -> list[list[Cand]]:
    groups: dict[str, list[Cand]] = {}
    for c in cands:
        groups.setdefault(c.type, []).append(c)
    return list(groups.values())


def _pick(group: list[Cand]) -> Cand:
    def key(c: Cand) -> tuple[bool, int, bool, float, int]:
        nested = any(o is not c and o.tok in c.tok.ancestors for o in group)
        actors = bool(c.source) + bool(c.target)
        return (not nested, actors, not (c.negated or c.hypothetical), c.weight, -c.tok.i)

    best = max(group, key=key)
    for other in group:
        if other is best:
            continue
        same_flags = (other.negated, other.hypothetical) == (best.negated, best.hypothetical)
        if same_flags and not best.mode and other.mode:
            best.mode = other.mode
        if not best.source and other.source:
            best.source = [a for a in other.source if a not in best.target]
        if not best.target and other.target:
            best.target = [a for a in other.target if a not in best.source]
        if best.date.value is None and other.date.value is not None:
            best.date = other.date
        best.location = best.location or other.location
    return best
