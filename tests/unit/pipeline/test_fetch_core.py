import pytest

from newsflow_fetch import core
from newsflow_shared.errors import PermanentError, TransientError

pytestmark = pytest.mark.unit


def test_schemes_and_hosts() -> None:
    assert core.check_url("https://Example.org/x") == "example.org"
    for bad in ("ftp://example.org/x", "file:///etc/passwd", "javascript:alert(1)", "http:///x"):
        with pytest.raises(PermanentError):
            core.check_url(bad)


@pytest.mark.parametrize(
    "addr",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "172.16.5.5",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "0.0.0.0",
        "100.64.0.1",
    ],
)
def test_non_global_addresses_are_refused(addr: str) -> None:
    with pytest.raises(PermanentError) as e:
        core.check_addresses("h.example", [addr], frozenset())
    assert e.value.reason == "blocked_address"


def test_global_and_allowlisted_addresses_pass() -> None:
    core.check_addresses(
        "example.org", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"], frozenset()
    )
    core.check_addresses("localhost", ["127.0.0.1"], frozenset({"localhost"}))
    with pytest.raises(PermanentError):  # allowlisting a name does not allowlist other names
        core.check_addresses("127.0.0.1", ["127.0.0.1"], frozenset({"localhost"}))


@pytest.mark.parametrize(
    ("status", "exc", "reason"),
    [
        (404, PermanentError, "http_404"),
        (403, PermanentError, "http_403"),
        (410, PermanentError, "http_410"),
        (429, TransientError, "http_429"),
        (500, TransientError, "http_500"),
        (503, TransientError, "http_503"),
    ],
)
def test_status_classification(status: int, exc: type, reason: str) -> None:
    with pytest.raises(exc) as e:
        core.classify_status(status, "http://x")
    assert e.value.reason == reason
    core.classify_status(200, "http://x")


def test_body_classification() -> None:
    assert core.classify_body("text/html", b"<html><body>x</body></html>") == "html"
    assert core.classify_body("application/xhtml+xml", b"<html/>") == "html"
    assert core.classify_body("application/rss+xml", b"<rss></rss>") == "feed"
    assert core.classify_body("text/xml", b"<?xml version='1.0'?><feed></feed>") == "feed"
    assert core.classify_body("", b"<html><p>no header</p></html>") == "html"
    for ctype, body, reason in [
        ("image/png", b"\x89PNG", "unsupported_content_type"),
        ("application/pdf", b"%PDF", "unsupported_content_type"),
        ("text/html", b"   ", "empty"),
    ]:
        with pytest.raises(PermanentError) as e:
            core.classify_body(ctype, body)
        assert e.value.reason == reason


def test_charset_detection() -> None:
    legacy = (
        "<html><head><meta charset='windows-1251'></head><body>Привет, мир</body></html>".encode(
            "cp1251"
        )
    )
    assert core.detect_charset(legacy, None) == "windows-1251"
    assert core.detect_charset(legacy, "koi8-r") == "koi8-r"  # the header wins
    assert core.detect_charset("héllo wörld ".encode() * 20, None) in ("utf_8", "utf-8")
    assert core.detect_charset(b"<html>x</html>", "no-such-codec") != "no-such-codec"


def test_feed_parsing() -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
    <item><title>A</title><link>https://news.example/a</link><pubDate>Thu, 03 Jul 2025 10:00:00 GMT</pubDate>
    <description>Summary A</description></item>
    <item><title>dup</title><link>https://news.example/a</link></item>
    <item><title>rel</title><link>/b</link></item>
    <item><title>bad</title><link>mailto:x@y</link></item></channel></rss>"""
    entries = core.parse_feed(rss, "https://news.example/feed.xml")
    assert [u for u, _ in entries] == ["https://news.example/a", "https://news.example/b"]
    hints = entries[0][1]
    assert hints.feed_title == "Wire" and hints.title == "A" and hints.summary == "Summary A"
    assert hints.published is not None and hints.published.day == 3
    with pytest.raises(PermanentError):
        core.parse_feed(b"this is not a feed <<<", "https://x/feed")


UA = "newsflow/0.1 (+https://example.org; research crawler)"


def test_robots_rules_for_our_user_agent() -> None:
    rules = core.robots_rules(b"User-agent: *\nDisallow: /private/\n")
    core.check_robots(rules, UA, "https://news.example/world/a.html")
    with pytest.raises(PermanentError) as e:
        core.check_robots(rules, UA, "https://news.example/private/a.html")
    assert e.value.reason == "robots_disallowed"
    # a group for our product token wins over `*`
    ours = core.robots_rules(b"User-agent: newsflow\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    with pytest.raises(PermanentError):
        core.check_robots(ours, UA, "https://news.example/a.html")
    assert ours.can_fetch("https://news.example/a.html", "otherbot/1.0")


@pytest.mark.parametrize("status", [401, 403, 404, 410])
def test_robots_4xx_means_no_rules(status: int) -> None:
    text = core.robots_text(status, b"User-agent: *\nDisallow: /\n")  # body ignored
    assert text == b""
    core.check_robots(core.robots_rules(text), UA, "https://news.example/private/a.html")


def test_crawl_delay_sets_the_hosts_interval_within_bounds() -> None:
    delayed = core.robots_rules(b"User-agent: *\nCrawl-delay: 2.5\nDisallow: /private/\n")
    assert core.host_interval(delayed, UA, 1.0, 60.0) == 2.5
    assert core.host_interval(delayed, UA, 1.0, 2.0) == 2.0  # at most the ceiling
    assert core.host_interval(delayed, UA, 0.0, 60.0) == 0.0  # pacing off: off altogether
    plain = core.robots_rules(b"User-agent: *\nDisallow: /private/\n")
    assert core.host_interval(plain, UA, 1.0, 60.0) == 1.0
    assert core.host_interval(None, UA, 0.2, 60.0) == 0.2  # robots.txt not obeyed


def test_retry_after_in_seconds_or_as_a_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2025, 5, 6, 10, 0, 0, tzinfo=UTC)
    assert core.retry_after_seconds("120", now) == 120.0
    assert core.retry_after_seconds("Tue, 06 May 2025 10:00:30 GMT", now) == 30.0
    assert core.retry_after_seconds("Tue, 06 May 2025 09:00:00 GMT", now) == 0.0  # past
    assert core.retry_after_seconds("soon", now) is None
    assert core.retry_after_seconds(None, now) is None
