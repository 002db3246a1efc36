"""A Stanford CoreNLP NER server of a test's own, on a free port: the jar and the model that
`infra/local/stack.sh corenlp-start` fetches under var/, launched as it launches them (same
server.properties, loopback-only, heap 320m), its log in a folder of the test's. A test may
stop and restart it (the suite's server on 9000 is never disturbed)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
from private_es import VAR, java_home
from private_redis import free_port, spawn_group, stop_group

from helpers import REPO

CORENLP_VERSION = os.environ.get("NEWSFLOW_CORENLP_VERSION", "4.5.10")
JAR = VAR / "cache" / f"stanford-corenlp-{CORENLP_VERSION}.jar"
MODELS = VAR / "corenlp" / CORENLP_VERSION / "models"
CONF = REPO / "infra" / "corenlp"
PROBE = "Leeds United beat Arsenal."


def java() -> str | None:
    """A java binary for CoreNLP (8+), picked as stack.sh picks it: NEWSFLOW_CORENLP_JAVA,
    java on the PATH, else the JDK Elasticsearch uses."""
    if os.environ.get("NEWSFLOW_CORENLP_JAVA"):
        return os.environ["NEWSFLOW_CORENLP_JAVA"]
    home = java_home()
    return shutil.which("java") or (str(home / "bin" / "java") if home else None)


def unavailable() -> str | None:
    """Why a private CoreNLP server cannot run here, or None."""
    if not JAR.exists() or not any(MODELS.rglob("*.crf.ser.gz")):
        return f"no CoreNLP jar at {JAR} or model under {MODELS} (run `make services` once)"
    if java() is None:
        return "no java for CoreNLP (set NEWSFLOW_CORENLP_JAVA)"
    return None


class PrivateCoreNLP:
    """`launch()`/`start()`, `stop()` a CoreNLP server on 127.0.0.1:`port`, log in `folder`."""

    def __init__(self, folder: Path, heap: str = "320m") -> None:
        self.folder, self.heap = folder, heap
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def launch(self) -> None:
        """Start the server's process; do not wait for it (`wait`)."""
        # stack.sh's command line (see its corenlp_start for why each option)
        self.proc = spawn_group(
            [
                str(java()),
                f"-Xmx{self.heap}",
                "-XX:+UseSerialGC",
                "-Djava.net.preferIPv4Stack=true",
                "-cp",
                f"{JAR}:{MODELS}",
                "edu.stanford.nlp.pipeline.StanfordCoreNLPServer",
                *("-port", str(self.port), "-threads", "2", "-timeout", "15000"),
                *("-quiet", "true", "-serverProperties", str(CONF / "server.properties")),
                *("-preload", "tokenize,ssplit,ner", "-stanford", "true"),
                *("-blockList", str(CONF / "loopback-only.blocklist")),
                *("-maxCharLength", "200000"),
            ],
            self.folder / "corenlp.log",
        )

    def tags(self) -> bool:
        """Whether the server answers and finds the organisation in a known sentence."""
        try:
            r = httpx.post(self.url, content=PROBE.encode(), timeout=10, trust_env=False)
        except httpx.HTTPError:
            return False
        return r.status_code == 200 and '"ORGANIZATION"' in r.text

    def wait(self, timeout: float = 120.0) -> None:
        """Wait until the launched server tags a sentence."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while not self.tags():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                tail = (self.folder / "corenlp.log").read_text(errors="replace")[-3000:]
                self.stop()
                raise RuntimeError(f"private CoreNLP did not start:\n{tail}")
            time.sleep(0.3)

    def start(self, timeout: float = 120.0) -> float:
        """Launch the server and wait until it tags; returns the seconds it took."""
        started = time.monotonic()
        self.launch()
        self.wait(timeout)
        return time.monotonic() - started

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the server (SIGTERM: it exits at once, closing its connections)."""
        stop_group(self.proc, sig)
        self.proc = None
