"""Who: source and target actors of a trigger from the parse (subjects, passive agents,
objects, the type's prepositions, the subject of the verb governing a noun trigger), who
reports it, and the one other party a directed event without a target is aimed at."""

from __future__ import annotations

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from newsflow_enrich import gazetteer as gz
from newsflow_enrich.dictionaries import agent_sector
from newsflow_enrich.events.candidate import Cand
from newsflow_enrich.events.context import DocContext
from newsflow_enrich.events.tables import (
    _FORCE_TYPES,
    _HOST_VERBS,
    _NON_AGENTIVE,
    _OBJ,
    _OF_PATIENT,
    _PATIENT_POSS,
    _SENT_TYPES,
    _SUBJ,
    _TOPIC_OBJECT,
    SOURCE_PREPS,
    TARGET_PREPS,
)
from newsflow_enrich.events.triggers import _direct, _objects, governing_verb
from newsflow_enrich.lexicon import SPEECH, VERBS
from newsflow_enrich.quotes import according_to, speaker_of_verb
from newsflow_shared.messages import ActorType

_RECIPROCAL = {"CONSULT", "AGREE", "COOPERATE"}
_REPORTED_PRON = {"he", "she", "it", "they"}


class Roles(DocContext):
    """Source, target and reporting actors of event candidates."""

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
                if c.lower_ in _REPORTED_PRON and depth < 3:
                    # "The M23 rebels announced they would withdraw", "Putin said he was
                    # ready to meet": the speaker is the pronoun's antecedent.
                    speaker = self._speaker_of_clause(v, depth)
                    if speaker:
                        return speaker, passive
                return self.r.actors(c), passive
        if passive:
            return [], True
        if v.dep_ == "xcomp" and v.head.i != v.i:
            # Object control: "urged NATO to provide", "told Kyiv to stop": NATO provides.
            objs = [c for c in v.head.children if c.dep_ in {"dobj", "dative"}]
            if objs:
                return self.r.actors(objs[0]), False
        if depth < 3 and v.dep_ in {"xcomp", "conj", "advcl", "acomp"} and v.head.i != v.i:
            return self.subjects(v.head, depth + 1)[0], False
        if v.dep_ in {"relcl", "acl"}:
            head = v.head
            own = self.r.actors(head)
            if not own and depth < 3 and head.dep_ == "dobj" and head.head.pos_ == "VERB":
                # "issued a statement congratulating X": who issued it
                return self.subjects(head.head, depth + 1)[0], False
            return own, False
        return [], False

    def verb_args(self, v: Token, type_: str) -> tuple[list[str], list[str]]:
        """Source and target actors of a verb trigger. A passive with no agent whose subject
        is what was sent ("A British warship was dispatched", "US missiles were delivered")
        has that thing's owner as its source."""
        source, passive = self.subjects(v)
        if passive and not source:
            source = [
                a
                for c in v.children
                if c.dep_ == "nsubjpass" and _sent(type_, c)
                for a in self.r.actors(c)
            ]
        target = [a for a in self.targets(v, type_, passive) if a not in source]
        if type_ == "CONSULT" and v.lemma_ in _HOST_VERBS and target:
            return target, source  # "al-Sisi received al-Burhan": the guest visits the host
        return source, target

    def _speaker_of_clause(self, v: Token, depth: int) -> list[str]:
        """The subject of the speech verb a clause is reported by ("X said [it would ...]"),
        climbing out of the clause's own complements ("ready to meet")."""
        clause = v
        while clause.dep_ in {"xcomp", "acomp", "conj"} and clause.head.i != clause.i:
            clause = clause.head
        if clause.dep_ == "ccomp" and clause.head.lemma_ in SPEECH:
            return self.subjects(clause.head, depth + 1)[0]
        return []

    def targets(self, tok: Token, type_: str, passive: bool) -> list[str]:
        """Target actors: objects, passive subjects, and the type's prepositions."""
        out: list[str] = []
        preps = TARGET_PREPS.get(type_, set())
        for c in tok.children:
            if c.dep_ in _OBJ and tok.lemma_ in _TOPIC_OBJECT:
                continue  # "discussing Ukraine": the topic, not the other party
            if c.dep_ == "dative" and c.pos_ == "ADP":
                # "has given to Tester and Gallego": the parse's dative is a preposition
                out += [a for g in c.children if g.dep_ == "pobj" for a in self.r.actors(g)]
            elif c.dep_ in _OBJ or (passive and c.dep_ == "nsubjpass"):
                if not _sent(type_, c):  # "deployed Chechen fighters": the source's own
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
            elif c.dep_ in {"prep", "prt"} and c.lower_ == "out" and "from" in preps:
                # "pulled out of Kherson": `out of` is `from`
                out += [a for g in _out_of(tok, c) for a in self.r.actors(g)]
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

    def _sole_other(self, sent: SpacySpan, c: Cand) -> list[str]:
        """The target of a directed event the parse gave none, when the sentence names
        exactly one other party (a country, group or organisation, after metonyms): "While
        Trump has expressed frustration with Russia's aggression, his administration has not
        imposed new sanctions" is aimed at Russia. Several candidates: none."""
        if c.type in _RECIPROCAL and len(c.source) >= 2:
            return []  # "Putin and Trump discussed Ukraine": all parties are actors (PLOVER)
        taken = set(c.source) | set(c.reported_by)
        if c.tok.lemma_ in _TOPIC_OBJECT:
            # "discussed Ukraine": the topic, not the other party
            taken |= {a for o in _objects(c.tok) for t in o.subtree for a in self.r.one(t)}
        taken |= {f"country:{self.r.drafts[a].country}" for a in taken if self.r.drafts[a].country}
        others = {
            a
            for a in self._govern(list(self.sentence_actors(sent)))
            if a not in taken and self.r.drafts[a].type != ActorType.PERSON
        }
        return sorted(others) if len(others) == 1 else []

    def dyad(self, c: Cand) -> None:
        """A reciprocal event the parse gave several parties and no target ("Japan and South
        Korea resumed ...", "talks between Moscow and Kyiv") is coded as the dyad CAMEO and
        POLECAT's coders give it: the first-named party's side is the source, the other
        countries' parties the target. Parties of one country stay together as the source.
        (The PLOVER manual would list them all as the actor; every party stays an actor of
        the article either way.)"""
        if c.target or c.type not in _RECIPROCAL or len(c.source) < 2:
            return
        sent = c.tok.sent
        pos = self.sentence_actors(sent)
        c.source = sorted(c.source, key=lambda a: pos.get(a, sent.end))  # first-named first
        countries = [self.r.drafts[a].country for a in c.source]
        first = next((code for code in countries if code), None)
        target = [
            a for a, code in zip(c.source, countries, strict=True) if code not in {None, first}
        ]
        if first is not None and target:
            c.source, c.target = [a for a in c.source if a not in target], target

    def _sole_country(self, sent: SpacySpan, c: Cand) -> list[str]:
        """The source of an event the parse names no one for, when the sentence's parties
        are all of one country that is not the target's: "A mob lynched a man in Pakistan's
        Swat district" is Pakistani, "Nationwide strike grounds Nigeria as unions protest"
        Nigerian (PETRARCH's unnamed domestic actor). That country's actor, else its place;
        never a person or organisation standing in for an unnamed party."""
        if c.source:
            return []
        found = list(self.sentence_actors(sent))
        # Who reports it is no party to it: "The death toll from that strike had risen to
        # 21, Russian authorities said".
        codes = {self.r.drafts[a].country for a in found if a not in c.reported_by} - {None}
        if len(codes) != 1:
            return []
        clause = c.tok if c.tok.pos_ == "VERB" else governing_verb(c.tok)[0]
        if clause is not None and any(
            s.dep_ in {"nsubj", "nsubjpass"} and s.pos_ == "PRON" for s in clause.children
        ):
            return []  # "He has been known to hunt down ...": someone the sentence does not name
        code = codes.pop()
        if any(self.r.drafts[a].country == code for a in c.target):
            return []  # "Kyiv was hit overnight": the country is the target's
        country = f"country:{code}"
        if country in self.r.drafts:
            return [country]
        places = [a for a in found if self.r.drafts[a].type == ActorType.LOCATION]
        return places[:1]

    def _unnamed_party(self, obj: Token, own: set[str]) -> bool:
        """An object that names no actor but the source (`own`: "suspended its strike") and
        is people ("prisoners") or a thing with no named owner ("a decree", not "the
        European proposal" or "IMF conditions")."""
        if set(self.r.actors(obj)) - own:
            return False
        return _party(obj) or not any(self.r.ent_at(t.i) for t in obj.subtree)

    def _own(self, obj: Token, own: set[str]) -> bool:
        """An object that is the source's own thing: "its goals", "Russia's aims"."""
        return any(
            p.dep_ == "poss" and (p.pos_ == "PRON" or set(self.r.actors(p)) & own)
            for p in obj.children
        )

    def _domestic(self, sent: SpacySpan, c: Cand) -> list[str]:
        """The recipient of an event aimed at a party the sentence leaves unnamed ("granted a
        pardon to hundreds of prisoners", "detained a campaign manager"), or at no one the
        parse finds ("walked out in protest", "suspended its strike"), when the sentence
        names no country but the source's: that country, PETRARCH's domestic dyad
        ("Belarus released 14 political prisoners" is Belarus -> Belarus). Only a country
        the article names."""
        objs = _recipients(c.tok)
        own = set(c.source)
        if all(self._own(o, own) for o in objs) and (
            c.type in _FORCE_TYPES | _RECIPROCAL | {"REJECT"} or _threatens_force(c)
        ):
            # "vowed to strike back", "Russia continues to seek a negotiated solution", "will
            # pursue its goals": force, and what answers another party, with no recipient
            # but the source's own aims, are aimed abroad too ("rejected a petition" is not)
            return []
        if objs and not any(self._unnamed_party(o, own) for o in objs):
            return []
        countries = {self.r.drafts[a].country for a in c.source} - {None}
        if len(countries) != 1:
            return []
        code = countries.pop()
        if any(self.r.drafts[a].country not in {None, code} for a in self.sentence_actors(sent)):
            return []
        country = f"country:{code}"
        return [country] if country in self.r.drafts else []


def _party(tok: Token) -> bool:
    """Whether a noun names people or a body ("prisoners", "the government", "hundreds of
    students"), not a thing ("the proposal")."""
    lemma = tok.lemma_.lower()
    return lemma in gz.PARTY_NOUNS or lemma in gz.PERSON_NOUNS or agent_sector(lemma) is not None


def _threatens_force(c: Cand) -> bool:
    """A threat whose complement is a use of force ("vowed to strike back")."""
    if c.type != "THREATEN":
        return False
    return any(
        rule.type in _FORCE_TYPES
        for x in c.tok.children
        if x.dep_ == "xcomp"
        for t in x.subtree
        for rule in VERBS.get(t.lemma_.lower(), ())
    )


def _sent(type_: str, obj: Token) -> bool:
    """Whether an object (or passive subject) is what the source sends or deploys
    (`_SENT_TYPES`), not a named party or place: any force for MOBILIZE, a thing, not
    people, for AID."""
    if type_ not in _SENT_TYPES or obj.dep_ not in {"dobj", "nsubjpass"} or obj.ent_type_:
        return False  # "reached Mekelle": a named place or party is where it goes
    return type_ == "MOBILIZE" or not _party(obj)


def _out_of(verb: Token, out: Token) -> list[Token]:
    """The objects of "out of" after a verb, parsed as out/prep -> of/prep -> pobj or as
    out/prt beside of/prep."""
    of = [c for c in out.children if c.dep_ == "prep" and c.lower_ == "of"]
    if out.dep_ == "prt":
        of += [c for c in verb.children if c.dep_ == "prep" and c.lower_ == "of"]
    return [g for p in of for g in p.children if g.dep_ == "pobj"]


def _recipients(tok: Token) -> list[Token]:
    """The objects of a trigger, and for a noun trigger that is the object of a light verb
    the verb's other objects ("gave the government an ultimatum", "issued Kyiv a warning")."""
    objs = _objects(tok)
    verb, _dep = governing_verb(tok)
    if tok.pos_ == "NOUN" and verb is not None and _direct(tok, verb):
        objs += [o for o in _objects(verb) if o.i != tok.i and o.dep_ in {"dative", "dobj"}]
    return objs
