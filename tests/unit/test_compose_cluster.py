"""docker-compose.cluster.yml: a valid override that turns the single Elasticsearch node of
docker-compose.yml into a three-node cluster the Python services all know of. No Docker
engine runs in CI, so the files are checked as Compose would merge them (maps merge by key,
a service's volumes by mount point)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from newsflow_shared.settings import Settings

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO.parent / "shared" / "schemas" / "compose-spec.json"
NODES = ("elasticsearch", "es02", "es03")
PYTHON_SERVICES = ("init", "api", "fetch", "parse", "enrich", "index", "reconciler", "flower")


def _merge(base: Any, over: Any, key: str = "") -> Any:
    if key == "volumes" and isinstance(base, list):  # merged by mount point
        mounts = {v.split(":")[1]: v for v in base} | {v.split(":")[1]: v for v in over}
        return list(mounts.values())
    if isinstance(base, dict) and isinstance(over, dict):
        return {k: _merge(base[k], over[k], k) if k in base and k in over else
                   base[k] if k in base else over[k] for k in base | over}  # fmt: skip
    return over


@pytest.fixture(scope="module")
def override() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.cluster.yml").read_text())
    return data


@pytest.fixture(scope="module")
def merged(override: dict[str, Any]) -> dict[str, Any]:
    base = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    out: dict[str, Any] = _merge(base, override)
    return out


def test_override_is_valid_against_compose_spec(override: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    errors = sorted(Draft7Validator(schema).iter_errors(override), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_three_nodes_that_find_each_other_over_tls(merged: dict[str, Any]) -> None:
    services = merged["services"]
    data_volumes = set()
    for node in NODES:
        env = services[node]["environment"]
        assert env["node.name"] == node
        assert env.get("discovery.type") != "single-node", node
        assert env["discovery.seed_hosts"].split(",") == list(NODES)
        assert env["cluster.initial_master_nodes"].split(",") == list(NODES)
        assert env["cluster.name"] == "newsflow"
        # security on, so transport TLS with the node's own certificate from es-certs
        assert env["xpack.security.enabled"] == "true"
        assert env["xpack.security.transport.ssl.enabled"] == "true"
        assert env["xpack.security.transport.ssl.certificate"] == f"certs/{node}/{node}.crt"
        assert services[node]["depends_on"]["es-certs"]["condition"] == (
            "service_completed_successfully"
        )
        assert "ports" not in services[node]  # still only on the project network
        (data,) = [
            v for v in services[node]["volumes"] if v.endswith(":/usr/share/elasticsearch/data")
        ]
        data_volumes.add(data.split(":")[0])
    assert len(data_volumes) == 3 and data_volumes <= set(merged["volumes"])


def test_every_python_service_knows_every_node_and_keeps_a_replica(
    merged: dict[str, Any],
) -> None:
    for name in PYTHON_SERVICES:
        env = merged["services"][name]["environment"]
        settings = Settings(es_url=env["NEWSFLOW_ES_URL"])
        assert settings.es_hosts == [f"http://{n}:9200" for n in NODES], name
        assert env["NEWSFLOW_ES_REPLICAS"] == "${NEWSFLOW_ES_REPLICAS:-1}", name
        assert "NEWSFLOW_REDIS_URL" in env, name  # the base environment is kept


def test_every_node_runs_the_base_files_elasticsearch_image(merged: dict[str, Any]) -> None:
    services = merged["services"]
    images = {services[n]["image"] for n in (*NODES, "es-certs")}
    assert images == {services["elasticsearch"]["image"]}


def test_the_local_stack_names_every_node_of_its_cluster(tmp_path: Path) -> None:
    """`stack.sh es-url`, which `make up ES_NODES=3` hands to every process as NEWSFLOW_ES_URL."""
    env = {"PATH": "/usr/bin:/bin", "NEWSFLOW_VAR": str(tmp_path), "NEWSFLOW_ES_PORT": "9400"}
    stack = [str(REPO / "infra" / "local" / "stack.sh"), "es-url"]
    one = subprocess.run(["bash", *stack], env=env, capture_output=True, text=True, check=True)
    assert one.stdout.strip() == "http://127.0.0.1:9400"
    three = subprocess.run(["bash", *stack], env={**env, "NEWSFLOW_ES_NODES": "3"},
                           capture_output=True, text=True, check=True)  # fmt: skip
    assert Settings(es_url=three.stdout.strip()).es_hosts == [
        "http://127.0.0.1:9400", "http://127.0.0.1:9401", "http://127.0.0.1:9402"
    ]  # fmt: skip
    bad = subprocess.run(["bash", *stack], env={**env, "NEWSFLOW_ES_NODES": "x"},
                         capture_output=True, text=True)  # fmt: skip
    assert bad.returncode != 0 and "NEWSFLOW_ES_NODES must be 1-9" in bad.stderr


def test_es_certs_makes_a_certificate_for_every_node_and_only_once(
    override: dict[str, Any],
) -> None:
    """The names es-certs loops over are the nodes (a node added without its certificate
    fails its TLS handshake), and a second run keeps the CA the running nodes trust
    (`docker compose start` of a node runs es-certs again: it did in the compose run)."""
    script = override["services"]["es-certs"]["command"][-1]
    (loop,) = [line for line in script.splitlines() if line.strip().startswith("for n in")]
    assert loop.split("for n in")[1].split(";")[0].split() == list(NODES)
    assert "if [ ! -f config/certs/ca/ca.crt ]" in script
    assert f"if [ ! -f config/certs/{NODES[-1]}/{NODES[-1]}.crt ]" in script
