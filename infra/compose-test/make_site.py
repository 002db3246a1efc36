"""Write the compose test's web site: the seed as an HTML page and N corpus pages.

Usage: python3 make_site.py OUT_DIR N. Reads seeds/ and ../shared/corpus (fundus-en, then
wcxb-dev-articles), as tests/helpers.py does; prints the paths written, one a line.
"""

from __future__ import annotations

import gzip
import html
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"


def seed_page() -> str:
    """The seed article (seeds/*.txt: title line, then paragraphs) as a news page."""
    txt = sorted((REPO / "seeds").glob("*.txt"))[0]
    meta = json.loads(txt.with_name(txt.name.replace(".txt", ".meta.json")).read_text())
    title, *paras = [p.strip() for p in txt.read_text().splitlines() if p.strip()]
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paras)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        f"<meta property='article:published_time' content='{meta['published']}'>"
        f"</head><body><article><h1>{html.escape(title)}</h1>\n{body}\n</article></body></html>"
    )


def main(out: Path, n: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "seed.html").write_text(seed_page())
    print("seed.html")
    pages = sorted((CORPUS / "fundus-en").glob("*/*.html.gz"))
    pages += sorted((CORPUS / "wcxb-dev-articles" / "html").glob("*.html.gz"))
    if len(pages) < n:
        sys.exit(f"only {len(pages)} corpus pages under {CORPUS}")
    for i, page in enumerate(pages[:n], 1):
        name = f"page-{i:03d}.html"
        (out / name).write_bytes(gzip.decompress(page.read_bytes()))
        print(name)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
