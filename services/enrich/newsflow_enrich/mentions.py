"""Entity mentions from a spaCy doc, with cheap rules that fix the small model's mistakes.

Rules (each fixes an error seen on real news with en_core_web_sm 3.8):
- WEAPON: a PERSON/ORG/PRODUCT/NORP entity that names a weapon system ("Patriot",
  "HIMARS", "Storm Shadow") or is followed by a weapon noun ("Patriot air defense
  missiles") is dropped: it is equipment, not an actor.
- FUSION: a multi-token PERSON whose later tokens are a country, capital or seat of
  government ("Trump Russia" in "Putin tells Trump Russia won't ...") is split into a PERSON
  and a GPE: headlines drop the punctuation the tagger relies on.
- FIRST-NAME: a one-token ORG/GPE/NORP/FAC immediately followed by a PERSON ("Yury" ORG +
  "Ushakov" PERSON) is a first name: the two are merged into one PERSON.
- OFFICE: a one-token ORG ending an office title ("State" in "Secretary of State Marco
  Rubio") is part of the title: neither an organisation nor a first name.
- TITLE: leading titles inside a PERSON ("President Volodymyr Zelensky") are cut off and
  kept as the role; trailing possessives ("Ukraine's") and leading "the" are trimmed.
- SEAT: "Kremlin", "White House", "Pentagon" tagged as anything (often ORG, FAC, even
  PERSON) become a GPE mention of the government they stand for.
- KNOWN: a name from the gazetteer's groups or international organisations keeps its
  kind whatever the tagger said ("the Houthis" tagged PERSON).
- CONSISTENCY: an ORG/GPE/NORP/FAC whose text is a person's name or surname seen as PERSON
  in the same article ("Trump" tagged ORG in "Trump has expressed frustration") is a PERSON.
- NAMED-THING: an ORG/FAC/PERSON/LOC ending in "Act", "Agreement", "Convention", "Week",
  "Summit", "Award"... names a law, treaty, event or prize, not an actor: dropped.
- STANCE: a NORP in lower case or with a "pro-"/"anti-"/"pan-" prefix ("pro-Israel") is an
  attitude, not a group: dropped.
- MISSED: an untagged capitalised token that is a person's surname seen elsewhere in the
  article ('"Trump once again emphasized' at the start of a quote), or a country, capital
  or seat of government ("Moscow and Kyiv have held" where Kyiv was missed), a known group
  ("the Houthis") or an international organisation's acronym ("NATO"), is added.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from spacy.attrs import IS_STOP, IS_TITLE, IS_UPPER
from spacy.tokens import Doc

from newsflow_enrich import gazetteer as gz

LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"}
# Last words of names of laws, treaties, events and prizes, which the model tags ORG, FAC or
# even PERSON; case-sensitive so that ordinary words ("act", "week") don't match.
NAMED_THINGS = {
    "Act",
    "Agreement",
    "Accord",
    "Accords",
    "Convention",
    "Treaty",
    "Clause",
    "Amendment",
    "Speech",
    "Week",
    "Summit",
    "Honors",
    "Honours",
    "Award",
    "Awards",
    "Prize",
    "Festival",
    "Statement",
}
STANCES = {"pro", "anti", "pan", "post", "pre", "non"}

NOBLE_TITLES = {
    "king",
    "queen",
    "prince",
    "princess",
    "lord",
    "lady",
    "sir",
    "dame",
    "pope",
    "duke",
    "duchess",
    "earl",
    "baroness",
    "baron",
    "sheikh",
    "emir",
}
TITLES = {
    "president",
    "prime",
    "minister",
    "mr",
    "mr.",
    "mrs",
    "mrs.",
    "ms",
    "ms.",
    "dr",
    "dr.",
    "sen",
    "sen.",
    "senator",
    "rep",
    "rep.",
    "representative",
    "gov",
    "gov.",
    "governor",
    "gen",
    "gen.",
    "general",
    "lt",
    "lt.",
    "col",
    "col.",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "chancellor",
    "secretary",
    "mayor",
    "judge",
    "justice",
    "sir",
    "dame",
    "lord",
    "lady",
    "vice",
    "speaker",
    "leader",
    "chief",
    "commander",
    "ambassador",
    "foreign",
    "defence",
    "defense",
    "sheikh",
    "emir",
    "crown",
    "supreme",
    "deputy",
    "former",
    "ex",
    "first",
    "detective",
    "officer",
    "sgt",
    "sgt.",
    "capt",
    "capt.",
    "cardinal",
    "archbishop",
    "bishop",
    "rabbi",
    "imam",
    "coach",
    "manager",
    "captain",
}


@dataclass
class Mention:
    """One entity mention: token range in its doc, cleaned text, label and title words."""

    start: int  # token index (inclusive)
    end: int  # token index (exclusive)
    text: str
    label: str
    title: str = ""  # title words cut off the front of a PERSON ("President")
    char_start: int = 0
    char_end: int = 0


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    while start < end and (doc[start].lower_ in {"the", "a", "an"} or doc[start].is_punct):
        start += 1  # also "[Mykhailo Fedorov": an editor's bracket glued to the name
    while end > start and (doc[end - 1].tag_ == "POS" or doc[end - 1].is_punct):
        end -= 1
    return start, end


def _is_weapon(doc: Doc, start: int, end: int) -> bool:
    text = doc[start:end].text.lower()
    if _is_place_word(text):
        return False  # "Russian drone attacks": the demonym is the attacker
    if text in gz.WEAPONS or text.rstrip("s") in gz.WEAPONS:
        return True
    nxt = doc[end] if end < len(doc) else None
    return nxt is not None and nxt.lemma_.lower() in gz.WEAPON_NOUNS and not nxt.is_title


def _is_place_word(text: str) -> bool:
    key = gz.norm(text)
    return (
        gz.country_code(key) is not None
        or key in gz.CAPITALS
        or key in gz.GOVERNMENT_SEATS
        or gz.demonym_code(key) is not None
    )


def raw_mentions(doc: Doc) -> list[Mention]:
    """Entity mentions of interest after the WEAPON/FUSION/FIRST-NAME/TITLE/SEAT rules."""
    ents = [e for e in doc.ents if e.label_ in LABELS or e.label_ == "PRODUCT"]
    out: list[Mention] = []
    i = 0
    while i < len(ents):
        ent = ents[i]
        start, end = _trim(doc, ent.start, ent.end)
        label = ent.label_
        i += 1
        if start >= end:
            continue
        text = doc[start:end].text
        if gz.norm(text) in gz.GOVERNMENT_SEATS:
            out.append(_mention(doc, start, end, "GPE"))
            continue
        if gz.norm(text) in gz.GROUPS or gz.norm(text) in gz.IGOS:
            # KNOWN: "the Houthis" tagged PERSON, "NATO" tagged GPE.
            label = "NORP" if gz.norm(text) in gz.GROUPS else "ORG"
            out.append(_mention(doc, start, end, label))
            continue
        if label in {"PERSON", "ORG", "PRODUCT", "NORP"} and _is_weapon(doc, start, end):
            continue
        if label != "NORP" and doc[end - 1].text in NAMED_THINGS:
            continue  # NAMED-THING: "the Good Friday Agreement", "London Fashion Week"
        if label == "NORP" and (text[:1].islower() or text.split("-")[0].lower() in STANCES):
            continue  # STANCE: "pro-Israel", "anti-Soviet" describe a view, not a group
        if label == "PRODUCT":
            continue
        if label == "ORG" and end - start == 1 and _in_title(doc, start):
            continue  # OFFICE: "State" in "Secretary of State Marco Rubio" is the title's
        nxt = ents[i] if i < len(ents) else None
        if (
            label in {"ORG", "GPE", "NORP", "FAC"}
            and end - start == 1
            and nxt is not None
            and nxt.label_ == "PERSON"
            and nxt.start == end
            and doc[start].is_title
            and not _is_place_word(text)
            and gz.norm(text) not in gz.IGOS
        ):
            start, label, end = start, "PERSON", _trim(doc, nxt.start, nxt.end)[1]
            i += 1
        if label == "PERSON":
            out.extend(_person_mentions(doc, start, end))
        else:
            out.append(_mention(doc, start, end, label))
    return out


def _in_title(doc: Doc, i: int) -> bool:
    """Token i ends an office title ("Secretary of State", "Minister of Defence"): it follows
    "of" after a title word. Such a one-word ORG is no organisation, nor a first name."""
    return i >= 2 and doc[i - 1].lower_ == "of" and doc[i - 2].lower_ in TITLES


def _person_mentions(doc: Doc, start: int, end: int) -> list[Mention]:
    if start > 0 and doc[start - 1].lower_ in NOBLE_TITLES and doc[start - 1].is_title:
        start -= 1  # "King" left outside the entity in "King Charles"
    # FUSION: split off trailing place words ("Trump Russia").
    split = end
    while split - 1 > start and _is_place_word(doc[split - 1].text):
        split -= 1
    extra = [_mention(doc, k, k + 1, "GPE") for k in range(split, end)]
    end = split
    # TITLE: leading title words are a role, not part of the name.
    title_end = start
    while title_end < end - 1 and doc[title_end].lower_ in TITLES:
        if doc[title_end].lower_ in NOBLE_TITLES:
            break  # "King Charles", "Prince Harry", "Lord Alli": the title is the name
        title_end += 1
    if _is_place_word(doc[start:end].text):
        return [_mention(doc, start, end, "GPE"), *extra]
    mention = _mention(doc, title_end, end, "PERSON")
    mention.title = doc[start:title_end].text
    return [mention, *extra]


def _mention(doc: Doc, start: int, end: int, label: str) -> Mention:
    span = doc[start:end]
    return Mention(start, end, span.text, label, "", span.start_char, span.end_char)


def apply_consistency(doc: Doc, mentions: list[Mention], person_names: set[str]) -> None:
    """CONSISTENCY and MISSED rules: relabel known person names, add untagged names."""
    for m in mentions:
        key = gz.norm(m.text)
        if (
            m.label in {"ORG", "GPE", "NORP", "FAC"}
            and key in person_names
            and not _is_place_word(m.text)
            and key not in gz.IGOS
        ):
            m.label = "PERSON"
    covered = {k for m in mentions for k in range(m.start, m.end)}
    for ent in doc.ents:
        covered.update(range(ent.start, ent.end))
    # Capitalised non-stop words only, found in one array read rather than a Token per word.
    flags = doc.to_array([IS_TITLE, IS_UPPER, IS_STOP]) != 0
    for i in np.flatnonzero((flags[:, 0] | flags[:, 1]) & ~flags[:, 2]).tolist():
        tok = doc[i]
        if i in covered:
            continue
        key = gz.norm(tok.text)
        pair = doc[i : i + 2]
        # Any tag: a surname opening a quote is often tagged VERB ('"Trump once again').
        if (
            len(pair) == 2
            and i + 1 not in covered
            and pair[1].is_title
            and pair[1].dep_ in {"amod", "compound"}
            and gz.demonym_code(pair.text)
        ):
            # "Sri Lankan navy", "South Korean officials": a two-word demonym left untagged
            mentions.append(_mention(doc, i, i + 2, "NORP"))
            covered.add(i + 1)
        elif tok.is_title and key in person_names and not _is_place_word(key):
            mentions.append(_mention(doc, tok.i, tok.i + 1, "PERSON"))
        elif (
            key in gz.CAPITALS
            or key in gz.GOVERNMENT_SEATS
            or (gz.country_code(key) and len(key) > 2)
        ):
            mentions.append(_mention(doc, tok.i, tok.i + 1, "GPE"))
        elif key in gz.GROUPS and tok.pos_ in {"PROPN", "NOUN"}:
            mentions.append(_mention(doc, tok.i, tok.i + 1, "NORP"))
        elif tok.is_title and gz.demonym_code(key) and tok.dep_ in {"amod", "compound"}:
            # "Kyrgyz authorities", "Lithuanian officials": a demonym the NER left untagged
            mentions.append(_mention(doc, tok.i, tok.i + 1, "NORP"))
        elif key in gz.IGOS and tok.is_upper and len(key) > 2:
            mentions.append(_mention(doc, tok.i, tok.i + 1, "ORG"))
    mentions.sort(key=lambda m: m.start)
