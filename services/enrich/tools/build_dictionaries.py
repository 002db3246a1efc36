"""Convert the PETRARCH2 / Phoenix dictionaries and the CAMEO->PLOVER table into our data.

Run once (again only when a source changes):

    .venv/bin/python services/enrich/tools/build_dictionaries.py \
        --reference /work/shared/reference

Writes `verbs.json`, `actors.json`, `agents.json` and `discards.json` into
`services/enrich/newsflow_enrich/data/`, each with a header naming every input file, its
licence and its sha256. Formats: PETRARCH2 `dictionaries.rst`; PLOVER
`CAMEO2PLOVER-2021.txt` ("0311: AGREE, , economic # comment": type, mode, context).

Verb patterns are reduced to what a dependency-based coder can check: the verb lemma, an
optional particle, a direct-object phrase, one preposition with its object, a subject
phrase. Patterns needing more (adverbs, two prepositional phrases, clause words such as
"if") are left out rather than loosened, and counted. Noun phrases are lemmatised with the
spaCy pipeline the enricher uses, so they compare equal to the lemmas it sees at run time.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
import spacy
from spacy.tokens import Doc

from newsflow_enrich.settings import get_enrich_settings
from newsflow_shared.messages import EventType

HERE = Path(__file__).resolve()
DATA = HERE.parents[1] / "newsflow_enrich" / "data"

PETRARCH = {
    "licence": "MIT",
    "copyright": "Copyright (c) 2014-2015 Open Event Data Alliance",
    "url": "https://github.com/openeventdata/petrarch2 (petrarch2/data/dictionaries)",
}
PLOVER = {
    "licence": "CC BY-SA 4.0",
    "copyright": "PLOVER, Open Event Data Alliance (ed. Philip Schrodt), 2021",
    "url": "https://github.com/openeventdata/PLOVER",
}


def words(text: str) -> frozenset[str]:
    """A word list written as one string."""
    return frozenset(text.split())


# Our 16 event types (declared once, in messages.py); PLOVER's older names for two of them.
OUR_TYPES = frozenset(t.value for t in EventType)
TYPE_ALIASES = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE"}

PARTICLES = words(
    "up down out off back away over on in forward aside through around along together "
    "apart about ahead"
)
PREPOSITIONS = words(
    "for to with against on in of from by at into over about after before during between "
    "among under upon toward towards across through within without behind alongside since "
    "amid despite near beyond outside inside onto via per like as until"
)
DETERMINERS = words("a an the")
# Without a tagger the rule lemmatizer strips any final "s" ("willingness" -> "willingnes").
SINGULAR_ENDINGS = ("ss", "us", "is", "news")
MAX_ALTERNATIVES = 200  # a phrase built from several synsets expands to their product

# CAMEO actor codes: the sector segments we keep, and prefixes that are not countries.
SECTORS = words(
    "GOV MIL REB OPP PTY COP JUD SPY LEG ELI BUS MED EDU CVL HLH REF LAB AGR CRM DEV ENV "
    "HRI MOD RAD INS SEP UAF IGO NGO NGM"
)
ORG_PREFIXES = {"IGO": "IGO", "NGO": "NGO", "NGM": "NGO", "MNC": "BUS", "IMG": "REB"}
# CAMEO religion codes; MUS (Muslim) is also Mauritius's ISO code ("IMGMUSALQ" = al-Qaeda).
RELIGIONS = words("MUS CHR JEW HIN BUD SIK ZRO TAO JAN SHN CON ATH BAH ITR")
CAMEO_TO_ISO = {"KSV": "XKX", "TMP": "TLS"}  # CAMEO codes that are not ISO alpha-3
GROUP_SECTORS = words("REB INS SEP UAF")
ACTOR_COLUMNS = ["name", "type", "country", "sector", "code", "from", "until", "roles"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def source(ref: Path, rel: str, licence: dict[str, str]) -> dict[str, str]:
    return {"file": rel, **licence, "sha256": sha256(ref / rel)}


def lines(path: Path) -> Iterator[str]:
    """Lines with comments ('#' to the end) and trailing blanks removed."""
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        yield raw.split("#", 1)[0].rstrip()


# --- lemmas -----------------------------------------------------------------------------


@cache
def _lemmatizer() -> Any:
    nlp = spacy.load(
        get_enrich_settings().model, exclude=["tok2vec", "tagger", "parser", "ner", "senter"]
    )
    return nlp, nlp.get_pipe("lemmatizer")


@cache
def lemma(word: str, pos: str = "NOUN") -> str:
    """The lemma the enricher's spaCy pipeline gives `word` with this part of speech."""
    word = word.lower()
    if pos == "NOUN" and word.endswith(SINGULAR_ENDINGS):
        return word  # the tagger marks these singular, so spaCy keeps them at run time
    nlp, lemmatizer = _lemmatizer()
    doc = Doc(nlp.vocab, words=[word])
    doc[0].pos_ = pos
    return str(lemmatizer.rule_lemmatize(doc[0])[0])


def phrase_lemma(words: Iterable[str]) -> str:
    return " ".join(lemma(w) for w in words if w.lower() not in DETERMINERS)


# --- CAMEO -> PLOVER --------------------------------------------------------------------


def read_plover(path: Path) -> dict[str, tuple[str, str | None]]:
    """CAMEO code -> (PLOVER type, mode or None); the first row wins for a repeated code."""
    table: dict[str, tuple[str, str | None]] = {}
    for line in lines(path):
        m = re.match(r"^\s*(\d{2,4}):\s*([A-Z_]+)\s*(?:,\s*([^,]*))?", line)
        if m and m.group(1) not in table:
            mode = (m.group(3) or "").strip() or None
            table[m.group(1)] = (m.group(2), mode)
    return table


def plover_of(code: str, table: dict[str, tuple[str, str | None]]) -> tuple[str, str | None] | None:
    """Our (type, mode) for a CAMEO code, trying its parents ("0213" -> "021" -> "02")."""
    for end in range(len(code), 1, -1):
        hit = table.get(code[:end])
        if hit:
            kind = TYPE_ALIASES.get(hit[0], hit[0])
            return (kind, hit[1]) if kind in OUR_TYPES else None
    return None


# --- verbs ------------------------------------------------------------------------------


@dataclass
class Block:
    code: str | None
    verbs: list[tuple[str, str | None, dict[str, Any]]] = field(default_factory=list)
    patterns: list[tuple[str, str]] = field(default_factory=list)  # (pattern text, code)


class Unusable(ValueError):
    """A pattern with a constraint our coder cannot check."""


def read_synsets(path: Path) -> dict[str, list[list[str]]]:
    """'&NAME' -> phrases (each a list of words), as written (upper case)."""
    sets: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for line in lines(path):
        if line.startswith("---"):
            break
        if line.startswith("&"):
            current = sets.setdefault(line.strip().rstrip("_"), [])
        elif line.startswith("+") and current is not None:
            words = [w for w in line[1:].strip().rstrip("_").split("_") if w]
            if words:
                current.append(words)
    return sets


def code_of(text: str) -> tuple[str | None, bool]:
    """Primary CAMEO code of '[190]', '[042:043]', '[:173]' (reverse), '[---]' (None)."""
    first, _, second = text.strip().partition(":")
    if first.strip() and first.strip() != "---":
        return first.strip(), False
    if second.strip() and second.strip() != "---":
        return second.strip(), True  # only the target->source event is coded
    return None, False


def read_verb_blocks(path: Path) -> Iterator[Block]:
    text = path.read_text(encoding="utf-8", errors="replace")
    body = text[text.index("####### VERB PATTERNS") :]
    block: Block | None = None
    for raw in body.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if line.startswith("---"):
            if block:
                yield block
            m = re.search(r"\[([^\]]*)\]", line)
            block = Block(code_of(m.group(1))[0] if m else None)
        elif block is None or line.startswith("~"):
            continue  # verb-verb transformations need the full PETRARCH tree
        elif line.startswith("-"):
            m = re.match(r"^-\s*(.*?)\s*\[([^\]]*)\]\s*$", line)
            if m:
                block.patterns.append((m.group(1), m.group(2)))
        else:
            m = re.match(r"^(\+?[^\s{\[]+)\s*(\{[^}]*\})?\s*(?:\[([^\]]*)\])?", line.strip())
            if m:
                block.verbs.append((m.group(1), m.group(3), {"forms": m.group(2)}))
    if block:
        yield block


TOKEN = re.compile(r"\{[^}]*\}|\([^)]*\)|[^\s(){}]+")


def np_alternatives(words: list[str], synsets: dict[str, list[list[str]]]) -> list[str]:
    """Lemmatised phrases a noun phrase (words and &SYNSETs, head last) stands for."""
    options: list[list[list[str]]] = []
    for word in words:
        if word.startswith("&"):
            members = synsets.get(word.rstrip("_"))
            if not members:
                raise Unusable(f"unknown synset {word}")
            options.append(members)
        elif word.lower() in DETERMINERS or word in "$+%^":
            continue
        elif re.fullmatch(r"[A-Za-z][A-Za-z'.-]*", word):
            options.append([[word]])
        else:
            raise Unusable(f"odd word {word}")
    if not options:
        raise Unusable("empty phrase")
    count = 1
    for opt in options:
        count *= len(opt)
    if count > MAX_ALTERNATIVES:
        raise Unusable("phrase expands too far")
    out = {phrase_lemma(w for part in combo for w in part) for combo in itertools.product(*options)}
    return sorted(out)


def reduce_pattern(text: str, synsets: dict[str, list[list[str]]]) -> dict[str, Any]:
    """Constraints of one pattern: subj, particle, obj, prep, pobj (lists of phrases)."""
    if text.count("*") != 1:
        raise Unusable("no verb position")
    before, after = text.split("*")
    out: dict[str, Any] = {}
    pre = [t for t in TOKEN.findall(before) if t not in "$+%^"]
    if pre:
        if len(pre) > 1 or pre[0].startswith("(") or pre[0].upper().endswith("LY"):
            raise Unusable("subject other than one noun phrase")
        out["subj"] = np_alternatives(pre[0].strip("{}").split(), synsets)
    tokens = [t for t in TOKEN.findall(after) if t not in "$+%^"]
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        low = tok.lower()
        if tok.startswith("("):
            if "prep" in out:
                raise Unusable("two prepositional phrases")
            inner = TOKEN.findall(tok[1:-1])
            if not inner:
                raise Unusable("empty brackets")
            preps = inner[0].lower().split("/")
            if not all(p in PREPOSITIONS or p in PARTICLES for p in preps):
                raise Unusable(f"not a preposition: {inner[0]}")
            out["prep"] = preps
            rest = [w for t in inner[1:] for w in t.strip("{}").split()]
            if rest:
                out["pobj"] = np_alternatives(rest, synsets)
        elif low in PARTICLES and not ({"particle", "obj", "prep"} & out.keys()):
            out["particle"] = low
        elif low in PREPOSITIONS and "prep" not in out:
            out["prep"] = [low]
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt and not nxt.startswith("("):
                out["pobj"] = np_alternatives(nxt.strip("{}").split(), synsets)
                i += 1
        elif low.endswith("ly") or low in {"if", "whether", "that", "when", "while", "because"}:
            raise Unusable(f"adverb or clause word {tok}")
        elif "obj" in out or "prep" in out:
            raise Unusable("more than one object")
        else:
            out["obj"] = np_alternatives(tok.strip("{}").split(), synsets)
        i += 1
    return out


def verb_entry(word: str, forms: str | None) -> tuple[str, str | None, list[str] | None]:
    """(lemma, particle, object words) of a verb line ('ATTACK', '+ASK_FOR', '+TAKE_SHAPE')."""
    if not word.startswith("+"):
        if "_" in word or "+" in word:
            raise Unusable("words before the verb")
        return word.lower(), None, None
    parts = [p for p in word[1:].split("_") if p]
    if "+" in word[1:]:
        raise Unusable("words before the verb")
    # "{}" means no forms are generated: the word may already be inflected ("ANGERED_BY")
    verb = lemma(parts[0], "VERB") if forms == "{}" else parts[0].lower()
    rest = [p.lower() for p in parts[1:]]
    particle = None
    if rest and (rest[0] in PARTICLES or rest[0] in PREPOSITIONS):
        particle = rest.pop(0)
    if rest and (rest[-1] in PREPOSITIONS and particle is None):
        particle = rest.pop()
    if any(w in {"and", "or"} for w in rest) or len(rest) > 2:
        raise Unusable("not a verb phrase")
    return verb, particle, ([phrase_lemma(rest)] if rest else None)


def build_verbs(
    cameo: Path, plover: dict[str, tuple[str, str | None]], stats: Counter[str]
) -> dict[str, list[dict[str, Any]]]:
    synsets = read_synsets(cameo)
    verbs: dict[str, list[dict[str, Any]]] = {}
    dropped: Counter[str] = Counter()

    def add(lemma_: str, cameo_code: str, reverse: bool, cons: dict[str, Any]) -> None:
        mapped = plover_of(cameo_code, plover)
        if mapped is None:
            dropped[cameo_code] += 1
            return
        pattern: dict[str, Any] = {"cameo": cameo_code, "type": mapped[0], "mode": mapped[1]}
        pattern.update(cons)
        if reverse:
            pattern["reverse"] = True
        bucket = verbs.setdefault(lemma_, [])
        if pattern not in bucket:
            bucket.append(pattern)

    for block in read_verb_blocks(cameo):
        reduced: list[tuple[dict[str, Any], str, bool]] = []
        for text, code_text in block.patterns:
            stats["patterns read"] += 1
            code, reverse = code_of(code_text)
            if code is None:
                stats["patterns with the null code (no event)"] += 1
                continue
            if plover_of(code, plover) is None:
                stats["patterns dropped (CAMEO code outside our 16 types)"] += 1
            try:
                reduced.append((reduce_pattern(text, synsets), code, reverse))
            except Unusable:
                stats["patterns not reducible"] += 1
        for word, own_text, info in block.verbs:
            stats["verb lines read"] += 1
            try:
                verb, particle, obj = verb_entry(word, info["forms"])
            except Unusable:
                stats["verb lines not reducible"] += 1
                continue
            own = code_of(own_text)[0] if own_text else None
            verb_code = own or block.code
            base: dict[str, Any] = {}
            if particle:
                base["particle"] = particle
            if obj:
                base["obj"] = obj
            if verb_code:
                add(verb, verb_code, False, base)
            if base:
                continue  # block patterns are written for the single-word verbs
            for cons, pcode, reverse in reduced:
                add(verb, pcode, reverse, cons)
    stats["verb-pattern pairs dropped (CAMEO code outside our 16 types)"] = sum(dropped.values())
    stats["distinct patterns"] = len(
        {json.dumps(p, sort_keys=True) for v in verbs.values() for p in v}
    )
    stats["distinct CAMEO codes dropped"] = len(dropped)
    print("dropped CAMEO codes:", dict(sorted(dropped.items())), file=sys.stderr)
    return {k: verbs[k] for k in sorted(verbs) if verbs[k]}


# --- actors -----------------------------------------------------------------------------

ISO3 = frozenset(c.alpha_3 for c in pycountry.countries) | {"XKX"}
SMALL_WORDS = words("of the and for in on de la al el da du von van der y")


def display(name: str) -> str:
    """'VLADIMIR_V._PUTIN_' -> 'Vladimir V. Putin' (underscores to spaces, title case)."""
    words = name.replace("_", " ").split()
    out = []
    for i, word in enumerate(words):
        low = word.lower()
        out.append(
            low
            if i and low in SMALL_WORDS
            else re.sub(r"(?:^|(?<=[-(.]))[a-z]", lambda m: m.group().upper(), low)
        )
    return " ".join(out)


def clean_alias(text: str) -> str:
    text = re.sub(r"\([^)]*\)", " ", text)  # "(AAIA)" acronyms in parentheses
    return re.sub(r"\s+", " ", text.replace("_", " ")).strip(" -")


def parse_code(code: str) -> tuple[str | None, str | None]:
    """(ISO alpha-3, sector) of a CAMEO actor code ('RUSGOV', 'IGOUNO', 'MNCUSA', 'ELI')."""
    segs = [code[i : i + 3] for i in range(0, len(code), 3)]
    country = None
    sector = None
    if segs and segs[0] in ORG_PREFIXES:
        sector = ORG_PREFIXES[segs[0]]
        if len(segs) > 1 and segs[1] in ISO3 and segs[1] not in RELIGIONS:
            country = segs[1]
        return country, sector
    if segs and (segs[0] in ISO3 or segs[0] in CAMEO_TO_ISO):
        country = CAMEO_TO_ISO.get(segs[0], segs[0])
        segs = segs[1:]
    for seg in segs:
        if seg in SECTORS:
            sector = seg
            break
    return country, sector


def parse_date(text: str) -> str | None:
    """'080508' or '20080508' -> '2008-05-08'; two-digit years up to 30 are 20xx."""
    if not re.fullmatch(r"\d{6}|\d{8}", text):
        return None
    if len(text) == 6:
        year = int(text[:2])
        text = f"{2000 + year if year <= 30 else 1900 + year}{text[2:]}"
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


def parse_restriction(text: str) -> dict[str, Any] | None:
    """'[RUSGOV >080508]' -> {'code': 'RUSGOV', 'from': '2008-05-08', 'until': None}."""
    parts = text.split()
    if not parts or not re.fullmatch(r"[A-Z]+", parts[0]):
        return None
    role: dict[str, Any] = {"code": parts[0], "from": None, "until": None}
    if len(parts) > 1:
        span = "".join(parts[1:])
        if span.startswith(">"):
            role["from"] = parse_date(span[1:])
        elif span.startswith("<"):
            role["until"] = parse_date(span[1:])
        elif "-" in span:
            a, b = span.split("-", 1)
            role["from"], role["until"] = parse_date(a), parse_date(b)
        if role["from"] is None and role["until"] is None:
            return None
    return role


def current(roles: list[dict[str, Any]]) -> dict[str, Any]:
    """The role that holds today: open-ended (latest start), else undated, else latest end."""
    open_ended = [r for r in roles if r["from"] and not r["until"]]
    if open_ended:
        return max(open_ended, key=lambda r: r["from"])
    undated = [r for r in roles if not r["from"] and not r["until"]]
    if undated:
        return undated[0]
    return max(roles, key=lambda r: r["until"] or "")


@dataclass
class Record:
    names: list[str]
    roles: list[dict[str, Any]]
    person_hint: bool
    file: str


def read_actor_records(path: Path, rel: str, stats: Counter[str]) -> Iterator[Record]:
    rec: Record | None = None
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        comment = raw.split("#", 1)[1] if "#" in raw else ""
        line = raw.split("#", 1)[0]
        if not line.strip():
            continue
        codes = re.findall(r"\[([^\]]*)\]", line)
        head = re.sub(r"\[[^\]]*\]", " ", line).split(";", 1)[0].strip()
        if line[0] in " \t" or not head:
            target = rec
        elif head.startswith("+"):
            if rec is not None:
                rec.names.extend(p for p in head.split("+") if p.strip())
            target = rec
        else:
            if rec is not None:
                yield rec
            rec = Record([head], [], False, rel)
            target = rec
        if target is None:
            continue
        if re.search(r"CountryInfo|rulers|leaders", comment, re.I):
            target.person_hint = True
        for c in codes:
            role = parse_restriction(c)
            if role is None:
                stats["actor code restrictions unreadable"] += 1
            else:
                target.roles.append(role)
    if rec is not None:
        yield rec


def actor_type(rec: Record, role: dict[str, Any]) -> str:
    code = role["code"]
    dated = any(r["from"] or r["until"] for r in rec.roles)
    if rec.person_hint or dated:
        return "person"
    if len(code) == 3 and (code in ISO3 or code in CAMEO_TO_ISO):
        return "country"
    sector = parse_code(code)[1]
    if "MilNonState" in rec.file or sector in GROUP_SECTORS or code.startswith("IMG"):
        return "group"
    return "organization"


def build_actors(ref: Path, files: list[str], stats: Counter[str]) -> dict[str, Any]:
    entries: list[list[Any]] = []
    aliases: dict[str, int] = {}
    for rel in files:
        for rec in read_actor_records(ref / rel, rel, stats):
            stats["actor records read"] += 1
            if not rec.roles:
                stats["actor records without a code"] += 1
                continue
            names = [n for n in (clean_alias(n) for n in rec.names) if n]
            if not names:
                continue
            now = current(rec.roles)
            country, sector = parse_code(now["code"])
            # a row per actor, columns as in ACTOR_COLUMNS (27k actors: no repeated keys)
            entry: list[Any] = [
                display(names[0]),
                actor_type(rec, now),
                country,
                sector,
                now["code"],
                now["from"],
                now["until"],
            ]
            if len(rec.roles) > 1:
                entry.append(
                    [[r["code"], *parse_code(r["code"]), r["from"], r["until"]] for r in rec.roles]
                )
            index = len(entries)
            entries.append(entry)
            for name in names:
                key = name.lower()
                if key in aliases:
                    stats["actor aliases already taken (first kept)"] += 1
                else:
                    aliases[key] = index
    stats["actors"] = len(entries)
    stats["actor aliases"] = len(aliases)
    return {"actors": entries, "aliases": aliases}


# --- agents and discards ---------------------------------------------------------------


def build_agents(path: Path, stats: Counter[str]) -> dict[str, str]:
    """Agent noun (lower case, singular as written) -> sector (first segment of its code)."""
    subs: dict[str, list[str]] = {}
    agents: dict[str, str] = {}
    for line in lines(path):
        m = re.match(r"^\s*(![A-Z]+!)\s*=\s*(.+)$", line)
        if m:
            subs[m.group(1)] = [w.strip() for w in m.group(2).split(",")]
            continue
        m = re.match(r"^\s*([^\s\[{]+)\s*(?:\{[^}]*\})?\s*\[([^\]]*)\]", line)
        if not m:
            continue
        phrase, code = m.group(1), m.group(2).replace("~", "").strip()
        sector = code[:3]
        variants = [phrase]
        for marker, words in subs.items():
            if marker in phrase:
                # plural substitutes (MEN, MINISTERS) are not lemmas
                singular = [
                    w for w in words if w not in {"MEN", "WOMEN", "MINISTERS", "MINISTRIES"}
                ]
                variants = [v.replace(marker, w) for v in variants for w in singular]
        for variant in variants:
            key = variant.replace("_", " ").strip().lower()
            stats["agent entries read"] += 1
            if not re.fullmatch(r"[a-z][a-z0-9 .'&-]*", key) or len(sector) != 3:
                stats["agent entries unreadable"] += 1
            elif key in agents:
                stats["agent duplicates (first kept)"] += 1
            else:
                agents[key] = sector
    stats["agents"] = len(agents)
    return dict(sorted(agents.items()))


def build_discards(path: Path, stats: Counter[str]) -> list[dict[str, Any]]:
    """Discard phrases: text (lower case), scope sentence|story, whole_word."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line in lines(path):
        text = line.strip()
        if not text:
            continue
        story = text.startswith("+")
        text = text.lstrip("+").strip()
        whole = text.endswith("_")
        phrase = re.sub(r"\s+", " ", text.rstrip("_").replace("_", " ")).strip().lower()
        if phrase and phrase not in seen:
            seen.add(phrase)
            out.append(
                {"text": phrase, "scope": "story" if story else "sentence", "whole_word": whole}
            )
    stats["discards"] = len(out)
    return out


# --- output -----------------------------------------------------------------------------


def write(path: Path, header: dict[str, Any], key: str, body: Any) -> None:
    """JSON with the header first and one entry per line (diffable, still compact)."""
    parts = [f'  "header": {json.dumps(header, ensure_ascii=False)}']
    if isinstance(body, dict):
        rows = ",\n".join(
            f"    {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False, separators=(',', ':'))}"
            for k, v in body.items()
        )
        parts.append(f'  "{key}": {{\n{rows}\n  }}')
    else:
        rows = ",\n".join(
            f"    {json.dumps(v, ensure_ascii=False, separators=(',', ':'))}" for v in body
        )
        parts.append(f'  "{key}": [\n{rows}\n  ]')
    path.write_text("{\n" + ",\n".join(parts) + "\n}\n", encoding="utf-8")
    print(f"wrote {path} ({path.stat().st_size:,} bytes)", file=sys.stderr)


def header(sources: list[dict[str, str]], counts: dict[str, int], about: str) -> dict[str, Any]:
    return {
        "about": about,
        "generated_by": "services/enrich/tools/build_dictionaries.py",
        "sources": sources,
        "counts": counts,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, default=Path("/work/shared/reference"))
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)
    ref, out = args.reference, args.out
    out.mkdir(parents=True, exist_ok=True)

    stats: Counter[str] = Counter()
    plover = read_plover(ref / "plover/CAMEO2PLOVER-2021.txt")
    verbs = build_verbs(ref / "petrarch2/CAMEO.2.0.txt", plover, stats)
    stats["verbs"] = len(verbs)
    stats["verb patterns"] = sum(len(v) for v in verbs.values())
    verb_keys = [k for k in stats if "verb" in k or "pattern" in k or "CAMEO" in k]
    # Synonyms of a block share its patterns: store each pattern once, verbs by index.
    patterns: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    by_verb: dict[str, list[int]] = {}
    for verb, pats in verbs.items():
        for pat in pats:
            key = json.dumps(pat, sort_keys=True)
            if key not in index:
                index[key] = len(patterns)
                patterns.append(pat)
            by_verb.setdefault(verb, []).append(index[key])
    verb_header = header(
        [
            source(ref, "petrarch2/CAMEO.2.0.txt", PETRARCH),
            source(ref, "plover/CAMEO2PLOVER-2021.txt", PLOVER),
        ],
        {k: stats[k] for k in verb_keys},
        "patterns: [{cameo, type (PLOVER), mode, particle, obj (direct-object phrases), "
        "prep + pobj (one prepositional phrase), subj (subject phrases), reverse (the "
        "target acts)}], absent keys are null; phrases are lemmas, head last. verbs: "
        "lemma -> indices into patterns.",
    )
    path = out / "verbs.json"
    rows = ",\n".join("    " + json.dumps(p, separators=(",", ":")) for p in patterns)
    verb_rows = ",\n".join(
        f"    {json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}" for k, v in by_verb.items()
    )
    path.write_text(
        "{\n"
        f'  "header": {json.dumps(verb_header, ensure_ascii=False)},\n'
        f'  "patterns": [\n{rows}\n  ],\n'
        f'  "verbs": {{\n{verb_rows}\n  }}\n'
        "}\n",
        encoding="utf-8",
    )
    print(f"wrote {path} ({path.stat().st_size:,} bytes)", file=sys.stderr)
    actor_files = [
        "petrarch2/Phoenix.Countries.actors.txt",
        "petrarch2/Phoenix.International.actors.txt",
        "petrarch2/Phoenix.MilNonState.actors.txt",
    ]
    actors = build_actors(ref, actor_files, stats)
    actor_keys = [k for k in stats if k.startswith("actor")]
    actor_header = header(
        [source(ref, f, PETRARCH) for f in actor_files],
        {k: stats[k] for k in actor_keys},
        "actors: rows of columns; roles (all dated codes, [code, country, sector, from, "
        "until]) only when there are several; the other columns are the role that holds "
        "last. aliases: lower-case alias -> row (first record wins). Mostly before 2016.",
    )
    actor_header["columns"] = ACTOR_COLUMNS
    path = out / "actors.json"
    entries = ",\n".join(
        json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in actors["actors"]
    )
    alias_rows = json.dumps(actors["aliases"], ensure_ascii=False, separators=(",", ":"))
    path.write_text(
        "{\n"
        f'  "header": {json.dumps(actor_header, ensure_ascii=False)},\n'
        f'  "actors": [\n{entries}\n  ],\n'
        f'  "aliases": {alias_rows}\n'
        "}\n",
        encoding="utf-8",
    )
    print(f"wrote {path} ({path.stat().st_size:,} bytes)", file=sys.stderr)

    agents = build_agents(ref / "petrarch2/Phoenix.agents.txt", stats)
    write(
        out / "agents.json",
        header(
            [source(ref, "petrarch2/Phoenix.agents.txt", PETRARCH)],
            {k: stats[k] for k in stats if k.startswith("agent")},
            "Agent noun (lower case; multiword allowed) -> CAMEO sector code.",
        ),
        "agents",
        agents,
    )
    discards = build_discards(ref / "petrarch2/Phoenix.discards.txt", stats)
    write(
        out / "discards.json",
        header(
            [source(ref, "petrarch2/Phoenix.discards.txt", PETRARCH)],
            {"discards": stats["discards"]},
            "Phrases whose sentence (scope sentence) or whole story (scope story) PETRARCH "
            "does not code; whole_word: the match must end at a word boundary.",
        ),
        "discards",
        discards,
    )
    for key, value in stats.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
