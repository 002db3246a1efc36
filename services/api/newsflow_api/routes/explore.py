"""The explorer: a static page for analysts (`/explore`) that uses only the public API.

The page, its script modules (`explore.js` imports the others), stylesheet and mode table
live in `newsflow_api/explore/`; they are served from here as named files (no directory
listing, no other path reaches the disk).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse, Response

from newsflow_api.errors import error

router = APIRouter(include_in_schema=False)

ASSETS = Path(__file__).resolve().parents[1] / "explore"
# The only files served, with their media types.
SCRIPTS = ("explore", "base", "nav", "views", "lists", "charts", "article", "actors")
FILES = {
    **{f"{m}.js": "text/javascript; charset=utf-8" for m in SCRIPTS},
    "explore.css": "text/css; charset=utf-8",
    "modes.json": "application/json",
}
# Assets change with a release, not per request; a short max-age keeps a redeploy visible.
CACHE = {"Cache-Control": "public, max-age=300"}
# The page runs only its own script and talks only to this API: anything injected into it
# (a highlight, a title) can neither run nor send anything elsewhere.
CSP = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
}


@router.get("/")
async def root() -> RedirectResponse:
    """The API's root is the explorer."""
    return RedirectResponse("/explore", status_code=307)


@router.get("/explore")
async def page() -> FileResponse:
    """The explorer page; its state is in the query string, read by the script."""
    return FileResponse(ASSETS / "index.html", media_type="text/html; charset=utf-8", headers=CSP)


@router.get("/explore/static/{name}")
async def asset(name: str) -> Response:
    """One of the page's assets."""
    if name not in FILES:
        return error(404, f"no asset {name!r}", "name")
    return FileResponse(ASSETS / name, media_type=FILES[name], headers=CACHE)
