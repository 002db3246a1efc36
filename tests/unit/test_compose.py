"""docker-compose.yml: valid against the compose-spec schema, and the deployment invariants.

No Docker engine runs here, so nothing is built or started: the file is checked as data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from newsflow_enrich.settings import EnrichSettings
from newsflow_fetch.settings import FetchSettings
from newsflow_index.settings import IndexSettings
from newsflow_shared.settings import HARD_LIMIT_MARGIN, Settings

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
STACK_SH = REPO / "infra" / "local" / "stack.sh"
# The handbook folder beside the repo (not the project's own shared/ package).
SCHEMA_FILE = REPO.parent / "shared" / "schemas" / "compose-spec.json"

WORKERS = ("fetch", "parse", "enrich", "index")
ONE_SHOTS = ("init", "kibana-setup")
PYTHON_SERVICES = ("init", "api", *WORKERS, "reconciler", "beat", "flower")
SERVICES = {"redis", "elasticsearch", "kibana", "flower", "corenlp", *ONE_SHOTS, "api", *WORKERS,
            "reconciler", "beat"}  # fmt: skip
PUBLISHING = {"api", "kibana", "flower"}
SECRETS = ("REDIS_PASSWORD", "ELASTIC_PASSWORD", "KIBANA_PASSWORD", "NEWSFLOW_API_KEY")

HEALTHY = "service_healthy"
DONE = "service_completed_successfully"
STARTED = "service_started"
APP_DEPENDS = {"init": DONE, "redis": HEALTHY, "elasticsearch": HEALTHY}
DEPENDS_ON = {
    "redis": {},
    "elasticsearch": {},
    "kibana": {"elasticsearch": HEALTHY},
    # Kibana is healthy only after kibana-setup has set its password: setup polls it itself.
    "kibana-setup": {"elasticsearch": HEALTHY, "kibana": STARTED},
    "init": {"elasticsearch": HEALTHY},
    "api": APP_DEPENDS,
    **{w: APP_DEPENDS for w in WORKERS},
    "reconciler": APP_DEPENDS,
    "beat": APP_DEPENDS,
    "enrich": {**APP_DEPENDS, "corenlp": HEALTHY},
    "corenlp": {},
    "flower": {"redis": HEALTHY},
}


# ${VAR}, ${VAR:-default}, ${VAR:?message}, ...; `$$` is an escaped, literal dollar.
INTERPOLATION = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}")
BARE_VARIABLE = re.compile(r"(?<!\$)\$[A-Za-z_]")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    svcs: dict[str, dict[str, Any]] = compose["services"]
    return svcs


def strings(node: Any) -> list[str]:
    """Every string in the parsed file (keys and values; comments are gone)."""
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in (*strings(k), *strings(v))]
    if isinstance(node, list):
        return [s for item in node for s in strings(item)]
    return [node] if isinstance(node, str) else []


def interpolations(compose: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, operator, argument) of every `${...}` Compose would interpolate."""
    return [
        (m[1], m[2] or "", m[3] or "")
        for text in strings(compose)
        for m in INTERPOLATION.finditer(text)
    ]


def seconds(duration: str) -> float:
    """A compose duration ("360s", "6m", "1m30s") in seconds."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6}
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|ms|us|m|s)", duration)
    assert parts and "".join(n + u for n, u in parts) == duration, duration
    return sum(float(n) * units[u] for n, u in parts)


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip('"')
    return values


def test_valid_against_compose_spec(compose: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    errors = sorted(Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_service_list(services: dict[str, Any]) -> None:
    assert set(services) == SERVICES


def test_python_services_share_one_image(services: dict[str, Any]) -> None:
    images = {services[s]["image"] for s in PYTHON_SERVICES}
    builds = {json.dumps(services[s]["build"], sort_keys=True) for s in PYTHON_SERVICES}
    assert len(images) == 1 and len(builds) == 1
    build = services["api"]["build"]
    assert (REPO / build["context"] / build["dockerfile"]).is_file()


def test_workers_are_scalable(services: dict[str, Any]) -> None:
    for name in WORKERS:
        svc = services[name]
        for key in ("ports", "container_name", "hostname"):
            assert key not in svc, f"{name} has {key}: `--scale {name}=N` would clash"


def test_no_fixed_container_names(services: dict[str, Any]) -> None:
    # Names come from the project, so two stacks (or a scaled service) never collide.
    assert not [name for name, svc in services.items() if "container_name" in svc]


def test_only_api_kibana_and_flower_publish_ports(services: dict[str, Any]) -> None:
    assert {name for name, svc in services.items() if svc.get("ports")} == PUBLISHING


def test_long_running_services_have_healthchecks(services: dict[str, Any]) -> None:
    for name, svc in services.items():
        if name in ONE_SHOTS:
            continue
        check = svc.get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), f"{name} has no healthcheck"
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name


def test_one_shots_do_not_restart(services: dict[str, Any]) -> None:
    # A restarting one-shot never "completes successfully", so dependents would never start.
    for name in ONE_SHOTS:
        assert services[name].get("restart", "no") == "no", name


def test_depends_on_conditions(services: dict[str, Any]) -> None:
    actual = {
        name: {dep: spec["condition"] for dep, spec in svc.get("depends_on", {}).items()}
        for name, svc in services.items()
    }
    assert actual == DEPENDS_ON
    for deps in actual.values():
        for dep, condition in deps.items():
            if condition == HEALTHY:
                assert "healthcheck" in services[dep], dep
            if condition == DONE:
                assert dep in ONE_SHOTS, dep


def test_stop_grace_period_outlasts_the_longest_hard_time_limit(
    services: dict[str, Any],
) -> None:
    # The defaults, not this process's environment: compose passes no time limits.
    soft = [Settings.model_fields[f"{stage}_time_limit"].default for stage in WORKERS]
    longest_hard = max(soft) + HARD_LIMIT_MARGIN
    for name in WORKERS:
        grace = seconds(services[name]["stop_grace_period"])
        assert grace > longest_hard, f"{name}: {grace}s <= {longest_hard}s"


def test_commands_are_exec_form(services: dict[str, Any]) -> None:
    for name, svc in services.items():
        for key in ("command", "entrypoint"):
            if key in svc:
                assert isinstance(svc[key], list), f"{name}.{key} is not a list"
                assert all(isinstance(arg, str) for arg in svc[key]), f"{name}.{key}"


def test_workers_consume_their_own_queue_and_healthcheck_their_own_node(
    services: dict[str, Any],
) -> None:
    for stage in WORKERS:
        cmd = services[stage]["command"]
        assert cmd[:4] == ["celery", "-A", f"newsflow_{stage}.tasks", "worker"], stage
        assert cmd[cmd.index("-Q") + 1] == stage
        node = cmd[cmd.index("-n") + 1]
        assert node == f"{stage}@%h"
        # %h is the container hostname; the check runs in a shell, where it is $HOSTNAME.
        test = services[stage]["healthcheck"]["test"]
        assert test[0] == "CMD-SHELL"
        assert "inspect ping" in test[1]
        assert f'"{stage}@$$HOSTNAME"' in test[1]


def test_index_prefetch_covers_a_batch(services: dict[str, Any]) -> None:
    cmd = services["index"]["command"]
    window = int(cmd[cmd.index("--prefetch-multiplier") + 1]) * int(
        cmd[cmd.index("--concurrency") + 1]
    )
    assert window >= IndexSettings.model_fields["batch_size"].default


def test_elastic_images_match_the_local_stack(services: dict[str, Any]) -> None:
    m = re.search(
        r"^ES_VERSION=\$\{NEWSFLOW_ES_VERSION:-([0-9][0-9.]*)\}$",
        STACK_SH.read_text(),
        re.MULTILINE,
    )
    assert m, "ES_VERSION default not found in infra/local/stack.sh"
    version = m[1]
    elastic = {
        name: svc["image"]
        for name, svc in services.items()
        if svc.get("image", "").startswith("docker.elastic.co/")
    }
    assert elastic["elasticsearch"] == f"docker.elastic.co/elasticsearch/elasticsearch:{version}"
    assert elastic["kibana"] == f"docker.elastic.co/kibana/kibana:{version}"
    assert {image.rpartition(":")[2] for image in elastic.values()} == {version}


def test_every_variable_is_in_env_example(compose: dict[str, Any]) -> None:
    used = {name for name, _, _ in interpolations(compose)}
    documented = set(env_example())
    assert used - documented == set(), "missing from .env.example"
    # Nothing stale either (COMPOSE_* would be read by Compose itself).
    assert {v for v in documented - used if not v.startswith("COMPOSE_")} == set()
    bare = [text for text in strings(compose) if BARE_VARIABLE.search(text)]
    assert not bare, "use ${VAR}, or $$VAR for the container's shell"


def test_secrets_are_required_and_not_prefilled(compose: dict[str, Any]) -> None:
    for name, op, _ in interpolations(compose):
        if name in SECRETS:
            assert op == ":?", f"${{{name}}} must fail fast: ${{{name}:?message}}"
    assert {name for name, _, _ in interpolations(compose)} >= set(SECRETS)
    example = env_example()
    assert all(example[s] == "" for s in SECRETS), "ship secrets empty in .env.example"


def test_redis_url_carries_the_password(services: dict[str, Any]) -> None:
    for name in PYTHON_SERVICES:
        url = services[name]["environment"]["NEWSFLOW_REDIS_URL"]
        assert url.startswith("redis://:${REDIS_PASSWORD:?") and url.endswith("@redis:6379/0")


def test_defaults_match_the_settings(compose: dict[str, Any]) -> None:
    """A `${NEWSFLOW_X:-default}` names a real setting and repeats its code default."""
    from pydantic import TypeAdapter

    known = {
        f"{cls.model_config['env_prefix']}{field}".upper(): info
        for cls in (Settings, FetchSettings, IndexSettings, EnrichSettings)
        for field, info in cls.model_fields.items()
    }
    for name, op, default in interpolations(compose):
        if name.startswith("NEWSFLOW_") and op == ":-":
            assert name in known, f"{name} is not a newsflow setting"
            info = known[name]
            # the compose string, read as the setting reads it ("true" -> True, "8" -> 8)
            value = TypeAdapter(info.annotation).validate_strings(default)
            assert value == info.default, f"{name}: {default!r} != {info.default!r}"


def test_env_example_defaults_match_compose_defaults(compose: dict[str, Any]) -> None:
    example = env_example()
    for name, op, default in interpolations(compose):
        if op == ":-":
            assert example[name] == default, f"{name}: .env.example differs from compose"


def test_flower_only_with_its_profile(services: dict[str, Any]) -> None:
    assert services["flower"]["profiles"] == ["monitoring"]
    assert [n for n, s in services.items() if s.get("profiles")] == ["flower"]


def test_exactly_one_reconciler_as_make_up_runs_it(services: dict[str, Any]) -> None:
    svc = services["reconciler"]
    assert svc["deploy"]["replicas"] == 1
    assert svc["command"] == ["newsflow", "reconcile", "--every", "60"]
    makefile = (REPO / "Makefile").read_text()
    assert "proc-start reconciler -- $(BIN)/newsflow reconcile --every 60\n" in makefile


def test_exactly_one_beat_as_make_up_runs_it(services: dict[str, Any]) -> None:
    svc = services["beat"]
    assert svc["deploy"]["replicas"] == 1
    assert svc["command"][:4] == ["celery", "-A", "newsflow_shared.beat", "beat"]
    makefile = (REPO / "Makefile").read_text()
    assert "proc-start beat -- $(BIN)/celery -A newsflow_shared.beat beat " in makefile
