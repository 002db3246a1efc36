"""The data files' JSON layout: a header naming the sources, one entry per line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

# --- output -----------------------------------------------------------------------------


def write(path: Path, header: dict[str, Any], key: str, body: Any) -> None:
    """JSON with the header first and one entry per line (diffable, still compact)."""
    parts = [f'  "header": {json.dumps(header, ensure_ascii=False)}']
    if isinstance(body, dict):
        rows = ",\n".join(
            f"    {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False, separators=(',', ':'))}"
            for k, v in body.items()
        )
        parts.append(f'  "{key}": {{\n{rows}\n  }}')
    else:
        rows = ",\n".join(
            f"    {json.dumps(v, ensure_ascii=False, separators=(',', ':'))}" for v in body
        )
        parts.append(f'  "{key}": [\n{rows}\n  ]')
    path.write_text("{\n" + ",\n".join(parts) + "\n}\n", encoding="utf-8")
    print(f"wrote {path} ({path.stat().st_size:,} bytes)", file=sys.stderr)


def header(sources: list[dict[str, str]], counts: dict[str, int], about: str) -> dict[str, Any]:
    return {
        "about": about,
        "generated_by": "services/enrich/tools/build_dictionaries.py",
        "sources": sources,
        "counts": counts,
    }
