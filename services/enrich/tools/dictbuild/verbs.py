"""Verb patterns: CAMEO -> PLOVER codes, PETRARCH2 verb blocks and synsets reduced to what a
dependency-based coder can check, and `verbs.json`."""

from __future__ import annotations

import itertools
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dictbuild.common import (
    DETERMINERS,
    MAX_ALTERNATIVES,
    OUR_TYPES,
    PARTICLES,
    PETRARCH,
    PLOVER,
    PREPOSITIONS,
    TYPE_ALIASES,
    lemma,
    lines,
    phrase_lemma,
    source,
)
from dictbuild.output import header

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


def write_verbs(ref: Path, out: Path, stats: Counter[str]) -> None:
    """`verbs.json`: each pattern once, verbs by index into the patterns."""
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
