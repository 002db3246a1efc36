"""The `newsflow` command: one module per command group, registered on the one app."""

from __future__ import annotations

import sys

from newsflow_cli import evals, jobs, migrate, ops, sources  # noqa: F401  (each registers its commands)
from newsflow_cli.common import EXIT_BACKEND_DOWN, Cli, app, backend_down

__all__ = ["EXIT_BACKEND_DOWN", "Cli", "app", "backend_down", "main"]


def main() -> None:  # pragma: no cover - console entry
    sys.exit(app())
