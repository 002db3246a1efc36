"""Actors: the Phoenix actor dictionaries (names, CAMEO codes with dated roles) and
`actors.json`."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pycountry

from dictbuild.common import (
    ACTOR_COLUMNS,
    CAMEO_TO_ISO,
    GROUP_SECTORS,
    ORG_PREFIXES,
    PETRARCH,
    RELIGIONS,
    SECTORS,
    source,
    words,
)
from dictbuild.output import header

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


def write_actors(ref: Path, out: Path, stats: Counter[str]) -> None:
    """`actors.json`: one row per actor, and the alias index."""
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
