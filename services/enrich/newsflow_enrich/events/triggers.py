"""Which word triggers which event type: objects and particles of a trigger, lexicon rules
with their conditions, idioms and other senses, the verb a noun hangs from, imperatives and
unnamed parties."""

from __future__ import annotations

from spacy.tokens import Token

from newsflow_enrich.events.tables import (
    _CLIMB,
    _IMPERATIVE_BLOCKERS,
    _NON_AGENTIVE,
    _NON_MILITARY_STRIKES,
    _NUMERIC_ENTS,
    _OBJ,
    T,
)
from newsflow_enrich.lexicon import Trigger


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
