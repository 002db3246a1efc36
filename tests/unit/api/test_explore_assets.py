"""The explorer's mode table is the enrich lexicon's, and the page loads only served assets."""

from __future__ import annotations

import json
import re

import pytest

from helpers import REPO
from newsflow_api.routes.explore import ASSETS, FILES

pytestmark = pytest.mark.unit

LEXICON = REPO / "services" / "enrich" / "newsflow_enrich" / "data" / "lexicon.json"


def lexicon_modes() -> dict[str, list[str]]:
    """Every mode the enrich stage can code, by PLOVER type."""
    lex = json.loads(LEXICON.read_text())
    modes: dict[str, set[str]] = {}
    for type_, cues in lex["mode_cues"].items():
        modes.setdefault(type_, set()).update(cues.values())
    for kind in ("verbs", "nouns"):
        for triggers in lex[kind].values():
            for t in triggers:
                if t.get("mode"):
                    modes.setdefault(t["type"], set()).add(t["mode"])
    return {t: sorted(m) for t, m in modes.items()}


def test_mode_table_is_the_lexicons() -> None:
    table = json.loads((ASSETS / "modes.json").read_text())
    table.pop("_source")
    assert table == lexicon_modes()


def test_page_references_only_served_assets() -> None:
    html = (ASSETS / "index.html").read_text()
    script = "\n".join(p.read_text() for p in sorted(ASSETS.glob("*.js")))
    refs = set(re.findall(r"/explore/static/([\w.-]+)", html + script))
    assert refs and refs <= set(FILES)
    # every script module is served, and reached from the page's one script
    assert {p.name for p in ASSETS.glob("*.js")} == {f for f in FILES if f.endswith(".js")} <= refs
    # nothing from elsewhere at run time: the only absolute URL is the SVG namespace name
    assert set(re.findall(r"https?://[^\s\"'`]+", html + script)) == {"http://www.w3.org/2000/svg"}
