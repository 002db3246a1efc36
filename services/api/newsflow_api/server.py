"""The API's HTTP server protocol: uvicorn's httptools protocol with the API's JSON errors.

What the HTTP parser refuses never reaches the app, and uvicorn answers it with a plain-text
`400 Invalid HTTP request received.`; httptools refuses any request target over 64 KiB (its
URL parser keeps offsets in 16 bits). This protocol checks our own, lower limit on the
request target first, while the request line is still arriving, and answers 414; anything
else the parser refuses gets a 400. Both as the API's `ErrorBody`. Run with
`uvicorn --http newsflow_api.server:ApiHttpProtocol ...`; `TargetLimit` applies the same
limit inside the app for any other server.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from newsflow_api.errors import error_body
from newsflow_api.settings import get_api_settings

# How long a connection answered with an error may still send before it is closed.
LINGER_SECONDS = 2.0


def _max_target_bytes() -> int:
    return get_api_settings().max_request_target_bytes


def _too_long(limit: int) -> bytes:
    return (
        error_body(414, f"request target (path and query string) longer than {limit} bytes")
        .model_dump_json()
        .encode()
    )


class TargetTooLong(Exception):
    """Raised from the parser's URL callback: httptools stops parsing the request."""


class ApiHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol answering unparseable requests with JSON (414 / 400)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_target = _max_target_bytes()
        self.target_too_long = False
        self.lingering = False

    def data_received(self, data: bytes) -> None:
        if self.lingering:  # after an error answer: the rest of the request is discarded
            return
        super().data_received(data)

    def on_url(self, url: bytes) -> None:
        # Called per received chunk of the request target, so a long one is refused before
        # it is read whole.
        super().on_url(url)
        if len(self.url) > self.max_target:
            self.target_too_long = True
            raise TargetTooLong

    def send_400_response(self, msg: str) -> None:
        if self.target_too_long:
            status, body = 414, _too_long(self.max_target)
        else:
            status = 400
            body = error_body(400, f"{msg} (malformed HTTP)").model_dump_json().encode()
        content = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: application/json\r\n",
                b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                body,
            ]
        )
        self.transport.write(b"".join(content))
        # Closing a socket with unread request bytes makes the kernel send a reset, which can
        # destroy the answer before the client reads it: stop writing, read and discard what
        # the client still sends for a moment, then close (a "lingering close", as nginx does).
        if self.transport.can_write_eof():
            self.lingering = True
            self.transport.write_eof()
            self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()


class TargetLimit:
    """ASGI middleware: 414 for a request target over the limit, whatever the server."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.body = _too_long(max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = scope.get("raw_path") or scope["path"].encode()
            if len(raw) + 1 + len(scope.get("query_string", b"")) > self.max_bytes:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 414,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(self.body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": self.body})
                return
        await self.app(scope, receive, send)
