"""Helpers for the enrichment tests (plain functions, imported by the test modules)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from newsflow_shared.messages import Enrichment, Event

REPO = Path(__file__).resolve().parents[3]
SEED = REPO / "seeds" / "000_d4436bfd2754a2f8.txt"
PUBLISHED = date(2025, 7, 3)  # a Thursday


def names(result: Enrichment, ids: list[str]) -> set[str]:
    """Canonical names of actor ids."""
    by_id = {a.id: a.name for a in result.actors}
    return {by_id[i] for i in ids}


def only(result: Enrichment, type_: str) -> Event:
    """The single event of a type; fails when there is none or several."""
    found = [e for e in result.events if e.type.value == type_]
    assert len(found) == 1, [(e.type.value, e.trigger) for e in result.events]
    return found[0]
