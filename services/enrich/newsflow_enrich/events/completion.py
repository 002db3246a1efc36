"""What completes a candidate whose type and actors are set: negation and modality flags,
mode cues, the date (a date phrase attached to the trigger or its clause, or one relative
to another event), the place, and the unnamed parties of a named place."""

from __future__ import annotations

from datetime import date

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from newsflow_enrich import dates as dt
from newsflow_enrich.events.candidate import Cand
from newsflow_enrich.events.context import DocContext
from newsflow_enrich.events.flags import modality, negated
from newsflow_enrich.events.tables import (
    _DATE_CLIMB,
    _OBJ,
    _OBJECT_MODE_TYPES,
    _PLACE_MODS,
    _PLACE_PREPS,
    _PLACE_SOURCE_TYPES,
    _PLACE_TARGET_TYPES,
    _SUBJ,
)
from newsflow_enrich.events.triggers import _objects, _unnamed
from newsflow_enrich.lexicon import MODE_CUES
from newsflow_shared.messages import EventDate


class Completion(DocContext):
    """Flags, mode, date and place of event candidates."""

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

    def _complete(self, c: Cand, clause: Token, sent: SpacySpan) -> Cand:
        """Flags, mode, date and location of a candidate whose type and actors are set."""
        tok = c.tok
        c.negated = negated(tok, clause)
        c.hypothetical, c.future = modality(tok, clause, c.type)
        c.mode = self._mode(c)
        c.date = self._date(tok, clause, sent, c.future)
        place = self._place(tok, clause)
        c.location = None if place is None else place.text
        self._unnamed_parties(c, place)
        return c


def _date_like(ent: SpacySpan) -> bool:
    """A bare four-digit number is a year only after a word that introduces one ("in 2019",
    "since 2014"): "a score of 2072" or "2,072 points" tagged DATE are not dates."""
    if not (len(ent) == 1 and ent[0].like_num and len(ent.text) == 4):
        return True
    prev = ent.doc[ent.start - 1].lower_ if ent.start > 0 else ""
    return prev in dt.YEAR_INTRODUCERS
