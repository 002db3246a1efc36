"""Negation ("has not imposed sanctions nor taken steps"), and the hypothetical and future
flags (modal auxiliaries, conditions, intent and request verbs, "possible" and "proposed")."""

from __future__ import annotations

from spacy.tokens import Token

from newsflow_enrich.events.tables import (
    _NEG_CLIMB,
    _NEG_PREPS,
    _REQUEST_VERBS,
    HYPO_NOUN_MODS,
    NEGATING_VERBS,
    TOPIC_VERBS,
)
from newsflow_enrich.events.triggers import governing_verb
from newsflow_enrich.lexicon import INTENT, MODAL_FUTURE, MODAL_HYPO, SPEECH


def negated(tok: Token, clause: Token) -> bool:
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


def modality(tok: Token, clause: Token, type_: str) -> tuple[bool, bool]:
    hypo = future = False
    t = clause
    for step in range(4):
        auxes = {c.lower_ for c in t.children if c.dep_ in {"aux", "auxpass"}}
        if step == 0 and type_ != "NEED":
            hypo |= bool(auxes & MODAL_HYPO)
            future |= bool(auxes & MODAL_FUTURE) or "going" in auxes
        if any(c.dep_ == "mark" and c.lower_ in {"if", "unless", "whether"} for c in t.children):
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
