from pathlib import Path

import pytest

from helpers import SEED, SEEDS
from newsflow_shared.submit import canonical_url_of, expand_paths, is_http_url, sidecar_hints

pytestmark = pytest.mark.unit


def test_seed_folder_lists_the_article_not_its_sidecar() -> None:
    files = list(expand_paths([SEEDS]))
    assert SEED in files
    assert not any(f.name.endswith(".meta.json") for f in files)


def test_sidecar_hints(tmp_path: Path) -> None:
    hints = sidecar_hints(SEED)
    assert hints is not None and hints.published is not None
    assert hints.published.date().isoformat() == "2025-07-03"
    story = tmp_path / "story.txt"
    story.write_text("Headline\nBody")
    assert sidecar_hints(story) is None
    (tmp_path / "story.meta.json").write_text('{"published": "not a date"}')
    with pytest.raises(ValueError, match=r"story\.meta\.json"):
        sidecar_hints(story)
    (tmp_path / "story.meta.json").write_text('{"unknown_field": 1}')
    with pytest.raises(ValueError):
        sidecar_hints(story)


def test_canonical_url_and_url_checks() -> None:
    html = b"<html><head><link rel='canonical' href='https://a.example/x'></head></html>"
    assert canonical_url_of(html) == "https://a.example/x"
    og = b"<html><head><meta property='og:url' content='https://b.example/y'></head></html>"
    assert canonical_url_of(og) == "https://b.example/y"
    assert canonical_url_of(b"<html><head><link rel='canonical' href='/rel'></head></html>") is None
    assert canonical_url_of(b"") is None
    assert (
        is_http_url("https://x.org/a")
        and not is_http_url("ftp://x.org")
        and not is_http_url("x.org")
    )
