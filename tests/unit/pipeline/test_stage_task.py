"""A stage task takes its retry budget and time limits from the settings it is given."""

from __future__ import annotations

import uuid

from newsflow_shared.messages import ParseRequest
from newsflow_shared.settings import HARD_LIMIT_MARGIN, Settings
from newsflow_shared.worker import StageTask, stage_task


def test_stage_task_reads_the_injected_settings() -> None:
    settings = Settings(max_retries=2, retry_backoff_max=40, parse_time_limit=50)
    name = f"test.parse_{uuid.uuid4().hex[:8]}"
    task = stage_task(name, "parse", ParseRequest, lambda msg: None, settings)
    assert isinstance(task, StageTask) and task.name == name and task.stage == "parse"
    assert (task.max_retries, task.retry_backoff_max) == (2, 40)
    assert (task.soft_time_limit, task.time_limit) == (50, 50 + HARD_LIMIT_MARGIN)
    assert settings.max_deliveries == 5


def test_every_stage_has_a_time_limit_setting() -> None:
    settings = Settings(fetch_time_limit=11, index_time_limit=44)
    limits = [settings.time_limit(s) for s in ("fetch", "parse", "enrich", "index")]
    assert limits == [11, Settings().parse_time_limit, Settings().enrich_time_limit, 44]
