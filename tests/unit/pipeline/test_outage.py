"""Outages: which errors are one, and how long a message waits one out before it gives up."""

from __future__ import annotations

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig, SerializationError
from elasticsearch import ApiError
from elasticsearch import ConnectionError as EsConnectionError
from elasticsearch import ConnectionTimeout as EsConnectionTimeout
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from newsflow_shared.errors import OutageError, PermanentError, TransientError, is_outage
from newsflow_shared.outage import (
    OUTAGE_SINCE,
    OUTAGE_WAITS,
    OutageCeilingExceeded,
    clear_headers,
    next_wait,
)
from newsflow_shared.store import es_errors_to_newsflow, raise_unavailable_docs

pytestmark = pytest.mark.unit

NOW = 1_800_000_000.0
CEILING, BACKOFF_MAX = 1800.0, 30.0


def api_error(status: int) -> ApiError:
    meta = ApiResponseMeta(
        status=status,
        http_version="1.1",
        headers=HttpHeaders(),
        duration=0.01,
        node=NodeConfig("http", "127.0.0.1", 9200),
    )
    return ApiError(f"status {status}", meta=meta, body={})


def wait(headers: dict[str, object] | None, now: float = NOW, rand: float = 1.0):  # type: ignore[no-untyped-def]
    return next_wait(
        headers,
        now,
        ceiling=CEILING,
        backoff_max=BACKOFF_MAX,
        why="es_unreachable",
        rand=lambda: rand,
    )


# ---------------------------------------------------------------- which errors are outages


@pytest.mark.parametrize(
    "exc",
    [
        RedisConnectionError("Connection refused"),
        RedisTimeoutError("Timeout reading from socket"),
        OperationalError("Error 111 connecting to 127.0.0.1:6379"),
        EsConnectionError("Connection refused"),
        EsConnectionTimeout("Read timed out"),
        api_error(502),
        api_error(503),
        api_error(504),
        OutageError("es_unreachable"),
    ],
    ids=repr,
)
def test_backends_unreachable_are_outages(exc: Exception) -> None:
    assert is_outage(exc)


@pytest.mark.parametrize(
    "exc",
    [
        api_error(429),  # too many requests: may be this item's request that is too much
        api_error(500),
        api_error(400),
        api_error(404),
        SerializationError("bad body"),
        TransientError("http_503", "the site answered 503"),  # the site's, not ours
        TransientError("host_busy"),
        PermanentError("no_content"),
        ValueError("a bug"),
    ],
    ids=repr,
)
def test_other_errors_are_not(exc: Exception) -> None:
    assert not is_outage(exc)


def test_store_maps_client_errors_to_outage_transient_or_permanent() -> None:
    refused = es_errors_to_newsflow(EsConnectionError("Connection refused"))
    assert isinstance(refused, OutageError) and refused.reason == "es_unreachable"
    unavailable = es_errors_to_newsflow(api_error(503))
    assert isinstance(unavailable, OutageError) and unavailable.reason == "es_unavailable"
    busy = es_errors_to_newsflow(api_error(429))
    assert isinstance(busy, TransientError) and not is_outage(busy)
    assert isinstance(es_errors_to_newsflow(api_error(400)), PermanentError)
    garbled = es_errors_to_newsflow(SerializationError("bad body"))
    assert isinstance(garbled, TransientError) and not is_outage(garbled)


def test_shard_errors_in_an_mget_are_an_outage_not_missing_documents() -> None:
    # what a node answers while its shards recover after a restart (seen on ES 9.5)
    recovering = {
        "docs": [
            {"_index": "content", "_id": "a:parsed", "found": False},
            {
                "_index": "content",
                "_id": "b:parsed",
                "error": {
                    "type": "no_shard_available_action_exception",
                    "reason": "No shard available for [MultiGetShardRequest]",
                },
            },
        ]
    }
    with pytest.raises(OutageError, match="No shard available"):
        raise_unavailable_docs(recovering)
    missing_index = {"docs": [{"_id": "a", "error": {"type": "index_not_found_exception"}}]}
    raise_unavailable_docs(missing_index)  # a missing document, not an outage
    raise_unavailable_docs({"docs": [{"_id": "a", "found": True, "_source": {}}]})


# ---------------------------------------------------------------- waiting one out


def test_first_wait_starts_the_outage_clock() -> None:
    w = wait(None)
    assert (w.since, w.waits) == (NOW, 1)
    assert w.headers() == {OUTAGE_SINCE: NOW, OUTAGE_WAITS: 1}


def test_waits_back_off_exponentially_up_to_the_cap() -> None:
    delays, headers = [], None
    for i in range(8):
        w = wait(headers, now=NOW + i)
        delays.append(w.delay)
        headers = w.headers()
    assert delays == [1, 2, 4, 8, 16, 30, 30, 30]
    assert headers == {OUTAGE_SINCE: NOW, OUTAGE_WAITS: 8}  # the clock keeps its start


def test_jitter_keeps_at_least_half_the_backoff() -> None:
    headers = {OUTAGE_SINCE: NOW, OUTAGE_WAITS: 10}
    assert wait(headers, rand=0.0).delay == BACKOFF_MAX / 2
    assert wait(headers, rand=1.0).delay == BACKOFF_MAX


def test_gives_up_only_once_the_outage_outlasted_the_ceiling() -> None:
    headers = {OUTAGE_SINCE: NOW, OUTAGE_WAITS: 60}
    near = wait(headers, now=NOW + CEILING - 10)
    assert near.delay == 10  # never waits past the ceiling
    with pytest.raises(OutageCeilingExceeded) as gave_up:
        wait(headers, now=NOW + CEILING)
    assert gave_up.value.reason == "outage_ceiling"
    assert "1800 s" in gave_up.value.message and "es_unreachable" in gave_up.value.message


def test_a_message_waits_out_a_whole_outage_up_to_the_ceiling() -> None:
    """Follow one message through an endless outage: it keeps waiting (spending no retry)
    until the ceiling, and gives up within one backoff of it."""
    now, headers, waits = NOW, None, 0
    with pytest.raises(OutageCeilingExceeded):
        while True:
            w = wait(headers, now=now, rand=0.5)
            headers, now, waits = w.headers(), now + w.delay, waits + 1
    assert CEILING <= now - NOW < CEILING + BACKOFF_MAX
    assert waits > 50  # far more than any retry budget (max_retries <= 50)


def test_unreadable_or_future_headers_start_afresh() -> None:
    w = wait({OUTAGE_SINCE: "garbage", OUTAGE_WAITS: None})
    assert (w.since, w.waits) == (NOW, 1)
    assert wait({OUTAGE_SINCE: NOW + 3600}).since == NOW  # a clock ahead of ours


def test_no_ceiling_means_no_waiting() -> None:
    with pytest.raises(OutageCeilingExceeded):
        next_wait(None, NOW, ceiling=0, backoff_max=BACKOFF_MAX)


def test_clear_headers_drops_only_the_outage_headers() -> None:
    headers = {OUTAGE_SINCE: NOW, OUTAGE_WAITS: 3, "other": "kept"}
    assert clear_headers(headers) == {"other": "kept"}
    assert clear_headers(None) == {}
