"""Entity mentions to actors: stable ids, canonical names, types, countries, roles, merging.

Ids are stable across articles: persons by their canonical full name
("person:vladimir-putin"; a lone surname of a well-known office holder is expanded through
the gazetteer), countries by ISO code ("country:RUS"), organisations by name, qualified by
country when the name is generic ("org:ukr-foreign-ministry"), listed organisations
(data/organizations.json) by their canonical name, groups and places by name.
Within an article a surname, a titled name or a possessive joins the full name it belongs
to; metonyms (the Kremlin, Washington when it acts) join the country.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from newsflow_enrich import gazetteer as gz
from newsflow_enrich import organizations
from newsflow_enrich.dictionaries import actor_entry, agent_sector
from newsflow_enrich.mentions import Mention, apply_consistency, raw_mentions
from newsflow_enrich.persons import person_clusters, possessive_free
from newsflow_enrich.qualifiers import org_country, role_and_country
from newsflow_shared.ids import slugify
from newsflow_shared.messages import Actor, ActorType, Span

_ACTING_PREPS = {"from", "with", "between", "by", "against", "and"}
_KNOWN_GROUPS = frozenset(gz.GROUPS.values())


@dataclass
class Draft:
    """An actor being assembled from its mentions."""

    id: str
    name: str
    type: ActorType
    country: str | None = None
    sector: str | None = None
    roles: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    mentions: int = 0
    spans: list[Span] = field(default_factory=list)
    first: int = 1 << 62  # order of first appearance (title first)

    def add(self, surface: str, span: Span | None, order: int) -> None:
        """Count one mention with its surface form and (text-only) span."""
        self.mentions += 1
        if surface not in self.aliases:
            self.aliases.append(surface)
        if span is not None:
            self.spans.append(span)
        self.first = min(self.first, order)

    def add_role(self, role: str) -> None:
        """Keep a role/title once."""
        role = role.strip(" ,")
        if role and role not in self.roles:
            self.roles.append(role)


@dataclass
class ActorIndex:
    """The actors of one article and, per doc, which tokens refer to which actor."""

    drafts: dict[str, Draft]
    token_actor: list[dict[int, str]]

    def actors(self, used: set[str] | None = None) -> list[Actor]:
        """Actors in order of first appearance; with `used` (ids that take part in an event
        or speak), groups named once and doing nothing are left out."""
        ordered = sorted(self.drafts.values(), key=lambda d: d.first)
        if used is not None:
            ordered = [d for d in ordered if d.id in used or not _passing(d)]
        return [
            Actor(
                id=d.id,
                name=d.name,
                type=d.type,
                country=d.country,
                sector=d.sector,
                roles=d.roles,
                aliases=d.aliases,
                mentions=d.mentions,
                spans=d.spans,
            )
            for d in ordered
        ]


def _passing(d: Draft) -> bool:
    """Named only in passing, so not an actor of the article unless it acts or speaks:
    - a group named once is nearly always an adjective the model tagged NORP ("Midwestern",
      "Sunni", "New Yorkers"): 4 of 31 such were gold actors;
    - a country named only by its demonym describes someone ("the Spanish singer", "a
      Bulgarian player"): the person or organisation carries the country instead.
    """
    if d.type == ActorType.GROUP:
        return d.mentions == 1 and d.name not in _KNOWN_GROUPS
    if d.type == ActorType.COUNTRY:
        return all(gz.demonym_code(a) and not gz.country_code(a) for a in d.aliases)
    return False


def _is_acting(tok: Token) -> bool:
    # A capital stands for its government when it acts: subject, possessor, "calls from
    # Kyiv", "talks with Moscow"; as the place of an attack or a visit it is a location.
    while tok.dep_ == "conj" and tok.head.i != tok.i:
        tok = tok.head
    if tok.dep_ in {"nsubj", "poss", "agent"}:
        return True
    return tok.dep_ == "pobj" and tok.head.lower_ in _ACTING_PREPS


class _Builder:
    def __init__(self, docs: Sequence[Doc], offsets: Sequence[int | None]) -> None:
        self.docs = docs
        self.offsets = offsets
        self.drafts: dict[str, Draft] = {}
        self.token_actor: list[dict[int, str]] = [{} for _ in docs]

    def _draft(self, actor_id: str, name: str, type_: ActorType, **kw: str | None) -> Draft:
        draft = self.drafts.get(actor_id)
        if draft is None:
            draft = Draft(actor_id, name, type_, **kw)  # type: ignore[arg-type]
            self.drafts[actor_id] = draft
        return draft

    def _record(self, draft: Draft, doc_i: int, m: Mention, surface: str) -> None:
        base = self.offsets[doc_i]
        span = None if base is None else Span(start=base + m.char_start, end=base + m.char_end)
        draft.add(surface, span, doc_i * 1_000_000 + m.start)
        for k in range(m.start, m.end):
            self.token_actor[doc_i][k] = draft.id

    def country(self, code: str) -> Draft:
        """The country actor for an ISO code."""
        return self._draft(
            f"country:{code}", gz.country_name(code), ActorType.COUNTRY, country=code, sector="GOV"
        )


def build_actors(docs: Sequence[Doc], offsets: Sequence[int | None]) -> ActorIndex:
    """Actors of an article from its docs: the title, then its text in one or more parts.
    `offsets[i]` is where `docs[i]` starts in the text (spans are offsets into the whole
    text), None for the title (mentions counted, no spans)."""
    b = _Builder(docs, offsets)
    per_doc = [raw_mentions(doc) for doc in docs]
    sports = organizations.is_sports([doc.text for doc in docs])
    organizations.relabel_persons(per_doc, sports)
    person_names: set[str] = set()
    for mentions in per_doc:
        for m in mentions:
            if m.label == "PERSON":
                key = gz.norm(possessive_free(m.text))
                person_names.add(key)
                person_names.add(key.split()[-1])
    for doc, mentions in zip(docs, per_doc, strict=True):
        apply_consistency(doc, mentions, person_names)
        _add_listed_orgs(doc, mentions, sports)
    flat = [(i, m) for i, mentions in enumerate(per_doc) for m in mentions]
    canon = person_clusters(flat)
    orgs_by_generic: dict[str, str] = {}
    # Text before title so that the text's country-qualified organisation names come first.
    for doc_i, m in sorted(flat, key=lambda p: (offsets[p[0]] is None, p[0], p[1].start)):
        doc = docs[doc_i]
        surface = possessive_free(m.text)
        if m.label == "PERSON":
            name = canon[id(m)]
            known = gz.KNOWN_PEOPLE.get(gz.norm(name))
            draft = b._draft(f"person:{slugify(name)}", name, ActorType.PERSON)
            role, country = role_and_country(doc, m)
            if role:
                draft.add_role(role)
            entry = actor_entry(name)
            listed = gz.person_record(name)
            draft.country = (
                draft.country
                or country
                or (known[0] if known else None)
                or (listed[0] if listed else None)
                or (entry.country if entry else None)
            )
            draft.sector = (
                draft.sector
                or sector_of(role)
                or (known[1] if known else None)
                or (listed[1] if listed else None)
                or (entry.sector if entry else None)
            )
            b._record(draft, doc_i, m, surface)
            continue
        draft_or_none = _classify(b, doc, m, surface, orgs_by_generic, sports)
        if draft_or_none is not None:
            b._record(draft_or_none, doc_i, m, surface)
    return ActorIndex(b.drafts, b.token_actor)


def sector_of(words: str) -> str | None:
    """The sector words of a name or role suggest: PETRARCH2's agent nouns for the phrase or
    its head ("riot police" -> COP), else the house table (`gazetteer.sector_of`)."""
    if not words:
        return None
    tokens = words.lower().split()
    for phrase in (" ".join(tokens), tokens[-1], tokens[-1].rstrip("s")):
        sector = agent_sector(phrase)
        if sector:
            return sector
    return gz.sector_of(words)


def _add_listed_orgs(doc: Doc, mentions: list[Mention], sports: bool) -> None:
    """MISSED, for organisations: listed names the NER left untagged become ORG mentions."""
    covered = {k for m in mentions for k in range(m.start, m.end)}
    for start, end in organizations.untagged_spans(doc, covered, sports):
        start += int(doc[start].lower_ == "the" and end - start > 1)  # "The Sun"
        span = doc[start:end]
        mentions.append(Mention(start, end, span.text, "ORG", "", span.start_char, span.end_char))
    mentions.sort(key=lambda m: m.start)


def _classify(
    b: _Builder, doc: Doc, m: Mention, surface: str, orgs: dict[str, str], sports: bool
) -> Draft | None:
    key = gz.norm(surface)
    label = m.label
    seat = gz.GOVERNMENT_SEATS.get(key)
    if seat:
        return b.country(seat)
    code = gz.country_code(key)
    if code and label in {"GPE", "LOC", "ORG", "NORP", "FAC"}:
        return b.country(code)
    if key in gz.GROUPS:
        name = gz.GROUPS[key]
        return b._draft(
            f"group:{slugify(name)}",
            name,
            ActorType.GROUP,
            country=gz.GROUP_COUNTRIES.get(name),
            sector=gz.GROUP_SECTORS.get(name),
        )
    demonym = gz.demonym_code(key)
    if demonym and label in {"NORP", "GPE", "ORG", "LOC"}:
        return b.country(demonym)  # "Ukrainian officials" tagged GPE or ORG
    listed = organizations.tagged_org(surface, label, sports)
    if listed is not None and key not in gz.IGOS:
        return b._draft(
            f"org:{slugify(listed.name)}",
            listed.name,
            ActorType.ORGANIZATION,
            country=listed.country,
            sector=listed.sector,
        )
    if label == "NORP":
        if key in gz.REGION_DEMONYMS or key.rstrip("s") in gz.REGION_DEMONYMS:
            return None
        return b._draft(f"group:{slugify(surface)}", surface, ActorType.GROUP)
    if label in {"GPE", "LOC", "FAC"} and len(key.split()) > 1 and key.split()[-1] in gz.ORG_HEADS:
        label = "ORG"  # "Pacific Islands Forum", "Arakan Army" tagged as places
    if label == "ORG":
        if key in gz.IGOS:
            name, slug = gz.IGOS[key]
            return b._draft(f"org:{slug}", name, ActorType.ORGANIZATION, sector="IGO")
        return _org(b, doc, m, surface, orgs)
    capital = gz.CAPITALS.get(key)
    if capital and _is_acting(doc[m.end - 1]):
        return b.country(capital)
    country = gz.place_country(key)
    return b._draft(f"location:{slugify(surface)}", surface, ActorType.LOCATION, country=country)


def _org(b: _Builder, doc: Doc, m: Mention, surface: str, orgs: dict[str, str]) -> Draft:
    code, generic, named = org_country(doc, m)
    generic_key = slugify(generic)
    if code and named:
        actor_id, name = f"org:{generic_key}", surface
    elif code:
        actor_id = f"org:{code.lower()}-{generic_key}"
        orgs.setdefault(generic_key, actor_id)
        name = (
            surface
            if gz.norm(surface) != gz.norm(generic)
            else (f"{gz.country_name(code)}'s {generic}")
        )
    else:
        actor_id = orgs.get(generic_key, f"org:{generic_key}")
        name = surface
    draft = b._draft(
        actor_id, name, ActorType.ORGANIZATION, country=code, sector=sector_of(generic)
    )
    if code and not named:
        full = f"{gz.country_name(code)}'s {generic}"
        for alias in (full, generic):
            if alias not in draft.aliases:
                draft.aliases.append(alias)
        if len(name) > len(draft.name):
            draft.name = name
    return draft
