"""The HTTP adapter: httpx with timeouts, a redirect cap, a size cap while streaming,
and the address policy applied to every hop (redirects are followed here, not by httpx):
to the addresses the host resolves to before connecting, and to the address connected to."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from newsflow_fetch.core import FetchedResponse, check_addresses, check_url
from newsflow_shared.errors import PermanentError, TransientError

REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class Limits:
    """What one fetch may take: bytes, redirects, seconds, and the hosts exempt from the
    address policy (built from the settings by `FetchSettings.limits`)."""

    max_bytes: int
    max_redirects: int
    total_timeout: float
    allow_hosts: frozenset[str] = frozenset()


# getaddrinfo's answers for a name that does not exist (NXDOMAIN) or has no address records,
# as opposed to a resolver that failed (EAI_AGAIN, EAI_FAIL): those are worth a later try.
NO_SUCH_HOST = frozenset({socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)})


def resolve(host: str, port: int, *, no_such_host_final: bool = False) -> list[str]:
    """All addresses `host` resolves to. DNS failures are transient, except "no such host"
    when `no_such_host_final` (the caller has tried before): then permanent."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno in NO_SUCH_HOST:
            error = PermanentError if no_such_host_final else TransientError
            raise error("dns_no_such_host", f"{host}: {exc}") from exc
        raise TransientError("dns_error", f"{host}: {exc}") from exc
    return sorted({str(info[4][0]) for info in infos})


def peer_address(resp: httpx.Response) -> str:
    """The IP address the response came from (httpcore's `network_stream` extension)."""
    stream = resp.extensions.get("network_stream")
    addr = stream.get_extra_info("server_addr") if stream is not None else None
    if not addr:
        raise PermanentError("blocked_address", f"{resp.url}: peer address unknown")
    return str(addr[0])


def fetch(
    client: httpx.Client,
    url: str,
    limits: Limits,
    *,
    before_hop: Callable[[str], None] | None = None,
    no_such_host_final: bool = False,
    headers: dict[str, str] | None = None,
) -> FetchedResponse:
    """GET `url`, following at most `limits.max_redirects` redirects, each hop checked (address
    policy, then `before_hop`, e.g. robots.txt) before it is requested. A host that does
    not exist is a TransientError, or a PermanentError when `no_such_host_final`. `headers`
    are sent with every hop (e.g. a poll's conditional-request validators)."""
    current = url
    # httpx's read timeout is per read; a server trickling bytes is stopped by this deadline.
    deadline = time.monotonic() + limits.total_timeout
    for _hop in range(limits.max_redirects + 1):
        host = check_url(current)
        port = httpx.URL(current).port or (443 if current.startswith("https") else 80)
        check_addresses(
            host, resolve(host, port, no_such_host_final=no_such_host_final), limits.allow_hosts
        )
        if before_hop is not None:
            before_hop(current)
        try:
            with client.stream("GET", current, headers=headers) as resp:
                # DNS can answer differently at connect time than at the check above (DNS
                # rebinding): the address actually connected to passes the same policy
                # before anything of the response is read or stored.
                check_addresses(host, [peer_address(resp)], limits.allow_hosts)
                if resp.status_code in REDIRECTS and "location" in resp.headers:
                    current = urljoin(current, resp.headers["location"])
                    continue
                declared = resp.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > limits.max_bytes:
                    raise PermanentError(
                        "too_large", f"declared {declared} bytes > {limits.max_bytes}"
                    )
                body = bytearray()
                for chunk in resp.iter_bytes():
                    body.extend(chunk)
                    if len(body) > limits.max_bytes:
                        raise PermanentError("too_large", f"more than {limits.max_bytes} bytes")
                    if time.monotonic() > deadline:
                        raise TransientError(
                            "timeout", f"{current}: slower than {limits.total_timeout}s"
                        )
                ctype = resp.headers.get("content-type", "")
                media = ctype.split(";", 1)[0].strip().lower()
                return FetchedResponse(
                    url=url,
                    final_url=current,
                    status=resp.status_code,
                    content_type=media,
                    header_charset=resp.charset_encoding,
                    body=bytes(body),
                    headers=dict(resp.headers.items()),
                )
        except httpx.TimeoutException as exc:
            raise TransientError("timeout", f"{current}: {type(exc).__name__}") from exc
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise TransientError("connect_error", f"{current}: {exc}") from exc
    raise PermanentError(
        "too_many_redirects", f"more than {limits.max_redirects} redirects from {url}"
    )
