"""Agent nouns (sectors) and discard phrases from the Phoenix lists."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from dictbuild.common import lines

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
