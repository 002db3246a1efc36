"""The PETRARCH2/Phoenix dictionaries as loaded from data/, and the converter's mapping."""

from __future__ import annotations

import importlib
import json
import sys
from datetime import date
from importlib.resources import files
from pathlib import Path
from types import SimpleNamespace

import pytest

from newsflow_enrich.dictionaries import (
    actor_entry,
    agent_sector,
    discard_phrases,
    discards,
    verb_triggers,
)
from newsflow_shared.messages import ActorType, EventType

pytestmark = pytest.mark.unit
TOOLS = Path(__file__).resolve().parents[3] / "services/enrich/tools"
DATA = files("newsflow_enrich").joinpath("data")


@pytest.fixture(scope="module")
def tool() -> SimpleNamespace:
    """The converter's parts (services/enrich/tools/dictbuild), as its script imports them."""
    sys.path.insert(0, str(TOOLS))
    try:
        actors = importlib.import_module("dictbuild.actors")
        verbs = importlib.import_module("dictbuild.verbs")
    finally:
        sys.path.remove(str(TOOLS))
    return SimpleNamespace(**{**vars(actors), **vars(verbs)})


def test_attack_is_an_assault_verb() -> None:
    patterns = verb_triggers()["attack"]
    bare = [p for p in patterns if not (p.obj or p.prep or p.particle or p.subj)]
    assert any(p.type is EventType.ASSAULT and p.cameo == "190" for p in bare)


def test_verb_patterns_keep_their_conditions() -> None:
    # CAMEO.2.0.txt, SUSPECT block: "- * (OF TREASON) [1125]"
    suspect = verb_triggers()["suspect"]
    treason = [p for p in suspect if p.pobj and "treason" in p.pobj]
    assert treason and treason[0].prep == frozenset({"of"})
    assert (treason[0].type, treason[0].mode) == (EventType.ACCUSE, "allege")
    # multiword verb "+CALL_OFF [160]": a particle, reduced to SANCTION
    assert any(
        p.particle == "off" and p.type is EventType.SANCTION for p in verb_triggers()["call"]
    )


def test_no_statement_or_appeal_codes_survive() -> None:
    codes = {p.cameo for pats in verb_triggers().values() for p in pats}
    assert codes and not any(c.startswith(("01", "02")) for c in codes)
    types = {p.type for pats in verb_triggers().values() for p in pats}
    assert types <= set(EventType)


def test_putin_is_russian_government_in_any_spelling() -> None:
    for name in ("Vladimir Putin", "VLADIMIR_PUTIN", "  vladimir   putin ", "President Putin"):
        entry = actor_entry(name)
        assert entry is not None, name
        assert (entry.name, entry.country, entry.sector) == ("Vladimir Putin", "RUS", "GOV")
    entry = actor_entry("Putin")
    assert entry is not None and entry.type is ActorType.PERSON
    assert entry.start == date(2008, 5, 8) and entry.until is None
    assert any(r.sector == "ELI" for r in entry.roles)  # his earlier, dated roles are kept


def test_actor_kinds_and_unknown_names() -> None:
    hamas = actor_entry("Hamas")
    assert hamas and (hamas.type, hamas.country, hamas.sector) == (ActorType.GROUP, "PSE", "REB")
    un = actor_entry("united nations")
    assert un and (un.type, un.country, un.sector) == (ActorType.ORGANIZATION, None, "IGO")
    al_qaeda = actor_entry("al qaeda")
    assert al_qaeda and al_qaeda.country is None  # IMGMUSALQ: MUS is "Muslim", not Mauritius
    assert actor_entry("Nobody Inparticular") is None


def test_agent_sectors() -> None:
    assert agent_sector("police") == "COP"
    assert agent_sector("Police Officer") == "COP"
    assert agent_sector("rebel") == "REB"
    assert agent_sector("foreign minister") == "GOV"  # from FOREIGN_!MINIST!
    assert agent_sector("journalist") == "MED"
    assert agent_sector("teapot") is None


def test_discards() -> None:
    phrases = discard_phrases()
    assert "world cup" in phrases and "basketball" in phrases
    run = [d for d in discards() if d.text == "16 kilometre run"]
    assert run and run[0].scope == "story"  # "+16 KILOMETRE RUN" drops the whole story


def test_headers_name_sources_licences_and_checksums() -> None:
    for name, licences in [
        ("verbs.json", {"MIT", "CC BY-SA 4.0"}),
        ("actors.json", {"MIT"}),
        ("agents.json", {"MIT"}),
        ("discards.json", {"MIT"}),
    ]:
        header = json.loads(DATA.joinpath(name).read_text(encoding="utf-8"))["header"]
        assert {s["licence"] for s in header["sources"]} == licences
        assert all(len(s["sha256"]) == 64 for s in header["sources"])
    for notice in ("LICENSE-PETRARCH2.txt", "LICENSE-PLOVER.txt", "README.md"):
        assert DATA.joinpath(notice).is_file()


# Rows copied from plover/CAMEO2PLOVER-2021.txt, in its format.
PLOVER_ROWS = """\
# CAMEO to PLOVER conversion table
04: CONSULT
041: CONSULT, phone,   # Discuss by telephone
08: CONCEDE
0841: RETREAT, release,   legal # Return, release person(s)
08: RETREAT
163: COERCE, restrict,   diplomatic # Impose embargo, boycott, or sanctions
173: COERCE, arrest, legal            # Arrest, detain, or charge with legal action
1712: ASSAULT, seize, human_security  # Destroy property
190: ASSAULT, , military # Use conventional military force
1041: DEMAND, change, executive # an older name for REQUEST
110: DISAPPROVE, disapprove,    # an older name for ACCUSE
999: TRANSFER, ,  # not one of our types
"""


def test_cameo_to_plover_mapping(tool: SimpleNamespace, tmp_path: Path) -> None:
    path = tmp_path / "CAMEO2PLOVER.txt"
    path.write_text(PLOVER_ROWS)
    table = tool.read_plover(path)
    assert tool.plover_of("041", table) == ("CONSULT", "phone")
    assert tool.plover_of("0841", table) == ("RETREAT", "release")
    assert tool.plover_of("173", table) == ("COERCE", "arrest")
    assert tool.plover_of("1712", table) == ("ASSAULT", "seize")
    assert tool.plover_of("190", table) == ("ASSAULT", None)
    assert tool.plover_of("1041", table) == ("REQUEST", "change")
    assert tool.plover_of("110", table) == ("ACCUSE", "disapprove")
    assert tool.plover_of("0413", table) == ("CONSULT", "phone")  # falls back to its parent
    assert tool.plover_of("084", table) == ("CONCEDE", None)  # first "08" row wins
    assert tool.plover_of("999", table) is None  # outside our 16 types
    assert tool.plover_of("020", table) is None  # appeals have no PLOVER row


def test_codes_and_patterns_reduce(tool: SimpleNamespace) -> None:
    assert tool.code_of("042:043") == ("042", False)
    assert tool.code_of(":173") == ("173", True)
    assert tool.code_of("---") == (None, False)
    synsets = {"&WEAPON": [["GUN"], ["ROCKET", "LAUNCHER"]]}
    assert tool.reduce_pattern("* (FOR {FINANCIAL AID})", synsets) == {
        "prep": ["for"],
        "pobj": ["financial aid"],
    }
    assert tool.reduce_pattern("* OFF &WEAPON", synsets) == {
        "particle": "off",
        "obj": ["gun", "rocket launcher"],
    }
    with pytest.raises(tool.Unusable):
        tool.reduce_pattern("SHARPLY *", synsets)  # adverbs are not checked
    assert tool.parse_code("RUSGOV") == ("RUS", "GOV")
    assert tool.parse_code("IMGMUSALQ") == (None, "REB")
    assert tool.parse_date("080508") == "2008-05-08"
    assert tool.parse_date("19270101") == "1927-01-01"
