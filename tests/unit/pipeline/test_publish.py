"""Producers publish without the worker: the API and the CLI never load its base task."""

from __future__ import annotations

import subprocess
import sys

# Run in a fresh interpreter: this test process has imported the worker long ago.
PROBE = """
import sys
from newsflow_api.main import create_app
import newsflow_cli.main
import newsflow_shared.submit
create_app()
print(sorted(m for m in sys.modules if m in {"newsflow_shared.worker", "newsflow_shared.held"}))
print("newsflow_shared.publish" in sys.modules)
"""


def test_api_and_cli_publish_without_importing_the_worker() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True
    ).stdout.split("\n")
    assert out[0] == "[]"  # neither the base task nor the worker's control command
    assert out[1] == "True"  # and yet they can hand on


def test_the_named_errback_is_the_workers_stage_lost() -> None:
    """`hand_on` names the errback the workers register, with the same signature."""
    from newsflow_shared.celery_app import app
    from newsflow_shared.stages import TASK_STAGE_LOST
    from newsflow_shared.worker import stage_lost

    assert dict(app.signature(TASK_STAGE_LOST)) == dict(stage_lost.s())
