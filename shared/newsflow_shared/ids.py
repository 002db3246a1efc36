"""Deterministic ids: the same input always gives the same id, so every write is idempotent."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track a click and never change the page (Scrapy's and
# news-please's lists, plus the common ad-platform ones).
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_ga",
        "_gl",
        "ref_src",
        "cmpid",
        "ocid",
        "smid",
        "s_cid",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "at_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonicalize_url(url: str) -> str:
    """Lower-case scheme and host, drop default port, fragment and tracking params, sort query."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    netloc = host
    if parts.port is not None and _DEFAULT_PORTS.get(scheme) != parts.port:
        netloc = f"{host}:{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def doc_id_for_url(url: str) -> str:
    """Article id for a page with a URL: a hash of its canonical URL."""
    return "u" + _digest(canonicalize_url(url).encode())


def doc_id_for_content(content: bytes) -> str:
    """Article id for a file without a URL: a hash of its bytes."""
    return "c" + _digest(content)


def stable_id(*parts: str) -> str:
    """A short deterministic id from several strings (events, quotes, jobs items)."""
    return _digest("\x1f".join(parts).encode())[:20]


def slugify(text: str) -> str:
    """ASCII slug used in actor ids: 'Volodymyr Zelensky' -> 'volodymyr-zelensky'."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-")
