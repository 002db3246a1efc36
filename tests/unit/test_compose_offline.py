"""infra/compose-test/docker-compose.offline.yml covers every service of docker-compose.yml.

`make compose-test` runs docker-compose.yml with this override. A service added to the
deployment and forgotten here builds from the official Python image, which cannot be pulled
offline, or carries a healthcheck podman 4.3 cannot run: the compose test then fails after
minutes (as it did when `reconciler` was added). These checks fail at once instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
OVERRIDE_FILE = REPO / "infra" / "compose-test" / "docker-compose.offline.yml"
APP_DOCKERFILE = "infra/docker/Dockerfile"
STANDINS = "localhost/newsflow-offline/"
RESET = "!reset"


class _Loader(yaml.SafeLoader):
    """Reads Compose's `!reset` tag as the string "!reset"."""


_Loader.add_constructor(RESET, lambda loader, node: RESET)


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        data: dict[str, Any] = yaml.load(f, Loader=_Loader)
    return data["services"]


BASE = _load(COMPOSE_FILE)
OVERRIDE = _load(OVERRIDE_FILE)
# Services the test leaves out, under a profile it does not enable.
LEFT_OUT = {name for name, svc in OVERRIDE.items() if svc.get("profiles") == ["kibana"]}


def _app_services() -> list[str]:
    return [
        n for n, s in BASE.items() if (s.get("build") or {}).get("dockerfile") == APP_DOCKERFILE
    ]


def test_every_app_service_uses_the_one_offline_build() -> None:
    app = _app_services()
    assert app, "no service builds infra/docker/Dockerfile"
    builders = [n for n in app if isinstance(OVERRIDE.get(n, {}).get("build"), dict)]
    assert len(builders) == 1, f"exactly one service builds the app image offline: {builders}"
    assert OVERRIDE[builders[0]]["build"]["args"]["PYTHON_IMAGE"].startswith(STANDINS)
    for name in set(app) - set(builders):
        svc = OVERRIDE.get(name, {})
        assert svc.get("build") == RESET and svc.get("pull_policy") == "never", (
            f"{name}: add `build: !reset null` and `pull_policy: never` to {OVERRIDE_FILE.name}"
        )


def test_other_builds_and_registry_images_use_stand_ins() -> None:
    for name, svc in BASE.items():
        if name in LEFT_OUT or name in _app_services():
            continue
        if "build" in svc:
            args = OVERRIDE.get(name, {}).get("build", {}).get("args", {})
            assert any(str(v).startswith(STANDINS) for v in args.values()), name
        else:
            assert OVERRIDE.get(name, {}).get("image", "").startswith(STANDINS), name


def test_healthchecks_podman_cannot_run_are_restated() -> None:
    # podman 4.3 splits an exec-form check's arguments at spaces and sets no $HOSTNAME.
    for name, svc in BASE.items():
        test = (svc.get("healthcheck") or {}).get("test") or []
        exec_form_with_spaces = test[:1] == ["CMD"] and any(" " in arg for arg in test[1:])
        uses_hostname = "$$HOSTNAME" in " ".join(test)
        if name in LEFT_OUT or not (exec_form_with_spaces or uses_hostname):
            continue
        restated = (OVERRIDE.get(name, {}).get("healthcheck") or {}).get("test") or []
        assert restated[:1] == ["CMD-SHELL"] and "$$HOSTNAME" not in restated[1], name


def test_the_test_leaves_out_only_kibana() -> None:
    assert {n for n in BASE if n.startswith("kibana")} == LEFT_OUT


def test_the_cluster_variant_runs_its_added_services_on_stand_ins() -> None:
    """`make compose-cluster-test` adds docker-compose.cluster.yml and its offline override:
    every service the cluster file adds runs the Elasticsearch stand-in, which the base
    file's node already does."""
    cluster = _load(REPO / "docker-compose.cluster.yml")
    cluster_offline = _load(REPO / "infra" / "compose-test" / "docker-compose.cluster-offline.yml")
    added = set(cluster) - set(BASE)
    assert added == {"es-certs", "es02", "es03"}
    for name in added:
        assert cluster_offline[name]["image"] == OVERRIDE["elasticsearch"]["image"], name
