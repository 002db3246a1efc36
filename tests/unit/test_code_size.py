"""The house rule that keeps each room small enough to hold in one's head: no production file
in services/ or shared/ over 400 lines, no function or method over 80 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 80
# Files over the limit, with the work that splits them (none today).
EXEMPT: dict[str, str] = {}


def production_files() -> list[Path]:
    """Python files and page scripts of the services and the shared package."""
    out = []
    for top in ("services", "shared"):
        for pattern in ("*.py", "*.js"):
            out += [
                p
                for p in (ROOT / top).rglob(pattern)
                if not {".venv", "node_modules", "vendor"} & set(p.parts)
            ]
    return sorted(out)


def test_the_walk_finds_the_services() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in production_files()}
    assert "services/enrich/newsflow_enrich/core.py" in names
    assert "shared/newsflow_shared/messages.py" in names
    assert any(n.endswith(".js") for n in names)


def test_no_file_over_the_limit() -> None:
    over = {
        rel: n
        for p in production_files()
        if (rel := p.relative_to(ROOT).as_posix()) not in EXEMPT
        and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES
    }
    assert over == {}, f"files over {MAX_FILE_LINES} lines: split them"


def long_functions(source: str) -> dict[str, int]:
    """Functions and methods of a Python module longer than the limit, by name."""
    out = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            n = (node.end_lineno or node.lineno) - first + 1
            if n > MAX_FUNCTION_LINES:
                out[f"{node.name}:{node.lineno}"] = n
    return out


def test_long_functions_are_found() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    assert list(long_functions(f"def big():\n{body}\n")) == ["big:1"]
    assert long_functions(f"def fits():\n{body[: body.rindex(chr(10))]}\n") == {}


def test_no_function_over_the_limit() -> None:
    over = {
        f"{p.relative_to(ROOT).as_posix()}:{name}": n
        for p in production_files()
        if p.suffix == ".py" and p.relative_to(ROOT).as_posix() not in EXEMPT
        for name, n in long_functions(p.read_text(encoding="utf-8")).items()
    }
    assert over == {}, f"functions over {MAX_FUNCTION_LINES} lines: split them"
