"""The reconciler's pure core: stuck items, re-dispatch stages, orphans, ledger vs index."""

from __future__ import annotations

import json

import pytest
from celery import Celery

from newsflow_shared.ledger import IN_FLIGHT_STATES
from newsflow_shared.reconcile import (
    Queued,
    check_job,
    confirmed,
    decode_message,
    orphans,
    plan,
    redispatch_stage,
    unrecorded,
)
from newsflow_shared.settings import DEFAULT_STAGE_LIMITS, Settings
from newsflow_shared.stages import TASK_PARSE, Stage

pytestmark = pytest.mark.unit

NOW = 1_800_000_000.0
LIMITS = {"queued": 60, "fetch": 60, "parse": 60, "enrich": 120, "index": 60}


def _celery_message(payload: dict[str, str], queue: str = "parse") -> bytes:
    """A task message exactly as Celery publishes it and kombu's Redis transport stores it
    (`dumps` of the message dict), taken from kombu's in-memory transport."""
    app = Celery(broker="memory://")
    app.send_task(TASK_PARSE, args=[payload], queue=queue)
    with app.connection_for_read() as conn:
        stored = conn.default_channel._get(queue)
    return json.dumps(stored).encode()


def test_decode_a_real_celery_message_and_its_unacked_form() -> None:
    raw = _celery_message({"schema_version": 1, "job_id": "j1", "item_id": "000007", "doc_id": "d"})
    got = decode_message(raw)
    assert (got.job_id, got.item_id) == ("j1", "000007") and got.task_id
    # the unacked hash stores [message, exchange, routing_key]
    unacked = json.dumps([json.loads(raw), "parse", "parse"])
    assert decode_message(unacked) == got


@pytest.mark.parametrize("raw", [b"", b"not json", b"[]", b'{"body": "%%%"}', b"{}", b"[1, 2]"])
def test_unreadable_messages_decode_to_nothing(raw: bytes) -> None:
    assert decode_message(raw) == Queued(None, None, None)


@pytest.mark.parametrize(
    ("state", "kind", "stage"),
    [
        ("queued", "url", Stage.FETCH),
        ("queued", "feed", Stage.FETCH),
        ("queued", "html_file", Stage.PARSE),
        ("queued", "reprocess", Stage.PARSE),
        ("fetch", "url", Stage.FETCH),
        ("parse", "text_file", Stage.PARSE),
        ("enrich", "url", Stage.ENRICH),
        ("index", "url", Stage.INDEX),
    ],
)
def test_redispatch_stage(state: str, kind: str, stage: Stage) -> None:
    assert redispatch_stage(state, kind) is stage


def _rec(item: str, state: str, idle: float, **extra: str) -> dict[str, str]:
    return {"job_id": "j", "item_id": item, "state": state, "kind": "url",
            "updated": str(NOW - idle), **extra}  # fmt: skip


def test_plan_acts_only_on_items_idle_past_their_limit_with_no_message() -> None:
    items = [
        _rec("a", "enrich", 200),  # stuck: re-dispatch at enrich
        _rec("b", "enrich", 100),  # within enrich's 120 s
        _rec("c", "parse", 200),  # has a message somewhere
        _rec("d", "fetch", 200, redispatches="3"),  # re-dispatched enough: fail
        {
            "job_id": "j",
            "item_id": "e",
            "state": "queued",
            "kind": "html_file",
            "submitted": str(NOW - 61),
        },
        _rec("f", "indexed", 10_000),  # final: never touched
        _rec("g", "index", 61, redispatches="2"),
    ]
    actions = plan(items, {("j", "c")}, NOW, LIMITS, max_redispatches=3)
    got = {(a.item_id, a.kind, a.stage) for a in actions}
    assert got == {
        ("a", "redispatch", Stage.ENRICH),
        ("d", "fail", Stage.FETCH),
        ("e", "redispatch", Stage.PARSE),
        ("g", "redispatch", Stage.INDEX),
    }
    failed = next(a for a in actions if a.kind == "fail")
    assert "no live task at fetch for 200 s after 3 re-dispatches" in failed.reason


def test_plan_with_no_redispatches_allowed_fails_at_once() -> None:
    (action,) = plan([_rec("a", "parse", 100)], set(), NOW, LIMITS, max_redispatches=0)
    assert action.kind == "fail" and action.stage is Stage.PARSE


def test_only_items_two_passes_saw_stuck_and_unchanged_are_acted_on() -> None:
    recs = {("j", i): _rec(i, "parse", 100) for i in "abc"}
    first = plan(recs.values(), set(), NOW, LIMITS, max_redispatches=3)
    acted, suspects = confirmed(first, recs, {})
    assert acted == [] and set(suspects) == {("j", "a"), ("j", "b"), ("j", "c")}
    # next pass: b moved on (new `updated`) and is stuck again; c has a message now
    recs[("j", "b")] = _rec("b", "enrich", 200)
    second = plan(recs.values(), {("j", "c")}, NOW + 60, LIMITS, max_redispatches=3)
    acted, suspects = confirmed(second, recs, suspects)
    assert [a.item_id for a in acted] == ["a"] and set(suspects) == {("j", "a"), ("j", "b")}


def test_orphans_are_old_and_held_by_no_worker() -> None:
    unacked = {
        "t1": (NOW - 300, Queued("task-1", "j", "a")),  # old, nobody holds it: orphan
        "t2": (NOW - 300, Queued("task-2", "j", "b")),  # old, a live worker holds it
        "t3": (NOW - 5, Queued("task-3", "j", "c")),  # just delivered
        "t4": (NOW - 300, Queued(None, None, None)),  # not ours, but nobody holds it
    }
    assert orphans(unacked, {"task-2"}, NOW, grace=60) == ["t1", "t4"]


def test_check_job_and_unrecorded_articles() -> None:
    c = check_job("j", ["d1", "d2", "d3", "d3"], {"d1", "d3", "x"})
    assert (c.indexed, c.present, c.missing) == (4, 3, ["d2"])
    assert unrecorded({"d1", "x", "y"}, {"d1", "d2"}) == ["x", "y"]


def test_stage_limits_cover_every_in_flight_state_and_merge_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert tuple(DEFAULT_STAGE_LIMITS) == IN_FLIGHT_STATES
    monkeypatch.setenv("NEWSFLOW_STAGE_LIMITS", '{"enrich": 30}')
    assert Settings().stage_limits == {**DEFAULT_STAGE_LIMITS, "enrich": 30}
    monkeypatch.setenv("NEWSFLOW_STAGE_LIMITS", '{"indexing": 30}')
    with pytest.raises(ValueError, match="unknown states"):
        Settings()
    monkeypatch.setenv("NEWSFLOW_STAGE_LIMITS", '{"fetch": 0}')
    with pytest.raises(ValueError, match="at least 1"):
        Settings()


def test_a_stuck_warc_item_goes_back_to_parse_from_the_store_never_to_the_network() -> None:
    from newsflow_shared.reconcile import redispatch_stage
    from newsflow_shared.stages import Stage

    assert redispatch_stage("queued", "warc") is Stage.PARSE
