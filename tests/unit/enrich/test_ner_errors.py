"""What the CoreNLP client raises when the server cannot answer, against real sockets on
loopback: an unreachable server is an outage (waited out, no retry spent), a slow or failing
answer to one text an ordinary transient error, a refusal of the request a permanent one."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from newsflow_enrich.ner import CoreNLPNer
from newsflow_shared.errors import OutageError, PermanentError, TransientError, is_outage

pytestmark = pytest.mark.unit

TEXT = "Leeds United beat Arsenal."


@contextmanager
def answering(status: int, body: bytes = b"busy") -> Iterator[str]:
    """A local HTTP server answering every POST with `status` and `body`; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/"
    finally:
        srv.shutdown()
        srv.server_close()


def spans_error(url: str, timeout: float = 5.0) -> BaseException:
    """What `CoreNLPNer.spans` raises against `url` (fails the test if it answers)."""
    ner = CoreNLPNer(url, client=httpx.Client(timeout=timeout, trust_env=False))
    with pytest.raises((TransientError, PermanentError)) as info:
        ner.spans(TEXT)
    return info.value


def test_a_refused_connection_is_an_outage() -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exc = spans_error(f"http://127.0.0.1:{port}/")
    assert isinstance(exc, OutageError) and is_outage(exc), repr(exc)
    assert exc.reason == "ner_unavailable" and f"127.0.0.1:{port}" in exc.message


def test_a_connection_dropped_before_the_answer_is_an_outage() -> None:
    """The server closes the connection without answering, as a server stopped mid-request."""
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)

        def hang_up() -> None:
            conn, _ = srv.accept()
            conn.recv(65536)
            conn.close()

        threading.Thread(target=hang_up, daemon=True).start()
        exc = spans_error(f"http://127.0.0.1:{srv.getsockname()[1]}/")
    assert isinstance(exc, OutageError) and is_outage(exc), repr(exc)


def test_a_read_timeout_is_transient_not_an_outage() -> None:
    """Connected (the listen backlog accepts it), never answered: this text may be too heavy."""
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        exc = spans_error(f"http://127.0.0.1:{srv.getsockname()[1]}/", timeout=0.5)
    assert isinstance(exc, TransientError) and not is_outage(exc), repr(exc)
    assert exc.reason == "ner_timeout"


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_server_that_cannot_serve_is_an_outage(status: int) -> None:
    with answering(status) as url:
        exc = spans_error(url)
    assert isinstance(exc, OutageError) and is_outage(exc), repr(exc)
    assert exc.reason == "ner_unavailable" and f"HTTP {status}" in exc.message


@pytest.mark.parametrize("status", [500, 429])
def test_a_failed_answer_is_transient_not_an_outage(status: int) -> None:
    # CoreNLP answers 500 when one text outlasts its timeout (15 s): that text's problem
    with answering(status, b"CoreNLP request timed out. Your document may be too long.") as url:
        exc = spans_error(url)
    assert isinstance(exc, TransientError) and not is_outage(exc), repr(exc)
    assert exc.reason == "ner_error"


def test_an_answer_that_is_not_json_is_transient_not_an_outage() -> None:
    with answering(200, b"<html>not CoreNLP</html>") as url:
        exc = spans_error(url)
    assert isinstance(exc, TransientError) and not is_outage(exc), repr(exc)


def test_a_refused_request_is_permanent() -> None:
    with answering(400, b"bad request") as url:
        exc = spans_error(url)
    assert isinstance(exc, PermanentError) and not is_outage(exc), repr(exc)
    assert exc.reason == "ner_rejected"


def test_the_fetch_stages_own_http_errors_are_no_outage() -> None:
    """A news site refusing a connection is that item's problem: raw httpx errors are not
    outages; only the NER client turns its server's into OutageError."""
    assert not is_outage(httpx.ConnectError("[Errno 111] Connection refused"))
    assert not is_outage(httpx.RemoteProtocolError("Server disconnected"))
