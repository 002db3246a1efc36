import pytest

from newsflow_shared.ids import canonicalize_url, doc_id_for_content, doc_id_for_url, slugify

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("HTTPS://Example.COM/a?b=2&a=1#frag", "https://example.com/a?a=1&b=2"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com/a?utm_source=x&utm_medium=y&id=3", "https://example.com/a?id=3"),
        ("https://example.com/a?fbclid=abc&gclid=1", "https://example.com/a"),
        ("http://example.com", "http://example.com/"),
    ],
)
def test_canonicalize(a: str, b: str) -> None:
    assert canonicalize_url(a) == b
    assert doc_id_for_url(a) == doc_id_for_url(b)


def test_ids_differ_for_different_pages() -> None:
    assert doc_id_for_url("https://example.com/a") != doc_id_for_url("https://example.com/b")
    assert doc_id_for_url("https://example.com/a?p=1") != doc_id_for_url(
        "https://example.com/a?p=2"
    )
    assert doc_id_for_url("http://example.com/a") != doc_id_for_url("https://example.com/a")
    assert doc_id_for_content(b"x") != doc_id_for_content(b"y")
    assert doc_id_for_content(b"x") == doc_id_for_content(b"x")


def test_slugify() -> None:
    assert slugify("Volodymyr Zelénsky") == "volodymyr-zelensky"
    assert slugify("U.S. Defense Department") == "u-s-defense-department"
