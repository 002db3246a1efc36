"""Redis Sentinel failover: how many acknowledged writes a kill -9 of the master loses.
Prints JSON. Not a test; the evidence behind the README's "Redis as a single point of
failure" section (issue 17.5).

    .venv/bin/python bench/redis_failover.py --seconds 6 --rounds 3

A master (AOF, `appendfsync everysec`, as the stack runs Redis), one replica and one
Sentinel (quorum 1, down-after 1 s), all `redis-server` processes of the Debian package on
loopback (`--sentinel` mode is the same binary as Debian's `redis-sentinel`). Writers
(`--writers` threads, as many clients as a stack's workers) append numbered entries (RPUSH, what a broker's LPUSH and a ledger's HSET are to Redis:
one write acknowledged by the master) through redis-py's Sentinel client, as fast as it can;
the master is killed -9 mid-stream, each writer reconnects to whichever node Sentinel
promotes and goes on. Afterwards every entry the master acknowledged is looked for on the
new master. Each round runs twice: plain (what kombu and redis-py do) and with `WAIT 1`
after each write (the master answers only once the replica has the write).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.sentinel import MasterNotFoundError, Sentinel

ERRORS = (RedisConnectionError, RedisTimeoutError, ReadOnlyError, MasterNotFoundError)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(args: list[str], folder: Path, name: str) -> subprocess.Popen[bytes]:
    log = open(folder / f"{name}.log", "ab")  # noqa: SIM115 - the process holds it
    return subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", *args],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_ping(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if Redis(port=port, socket_timeout=1).ping():
                return
        except ERRORS:
            time.sleep(0.1)
    raise SystemExit(f"redis on {port} did not answer")


def one_round(seconds: float, wait_replica: bool, writers: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="newsflow-failover-"))
    master_port, replica_port, sentinel_port = free_port(), free_port(), free_port()
    common = ["--appendonly", "yes", "--appendfsync", "everysec", "--save", ""]
    procs = []
    try:
        for name, port, extra in (
            ("master", master_port, []),
            ("replica", replica_port, ["--replicaof", "127.0.0.1", str(master_port)]),
        ):
            (folder / name).mkdir()
            procs.append(
                start(
                    ["--port", str(port), "--dir", str(folder / name), *common, *extra],
                    folder,
                    name,
                )
            )
            wait_ping(port)
        conf = folder / "sentinel.conf"
        conf.write_text(
            f"port {sentinel_port}\n"
            f"sentinel monitor nf 127.0.0.1 {master_port} 1\n"
            "sentinel down-after-milliseconds nf 1000\n"
            "sentinel failover-timeout nf 5000\n"
        )
        procs.append(start([str(conf), "--sentinel"], folder, "sentinel"))
        wait_ping(sentinel_port)
        while True:
            info: dict[str, Any] = Redis(port=replica_port).info("replication")  # type: ignore[assignment]
            if info.get("master_link_status") == "up":
                break
            time.sleep(0.1)
        sentinel = Sentinel([("127.0.0.1", sentinel_port)], socket_timeout=0.5)
        r = sentinel.master_for("nf", socket_timeout=0.5)
        acked: list[int] = []
        errors = [0]
        t0 = time.monotonic()

        def write(first: int) -> None:  # one writer: entries first, first+1, ...
            w = sentinel.master_for("nf", socket_timeout=0.5)
            i = first
            while time.monotonic() - t0 < seconds:
                try:
                    w.rpush("entries", i)
                    if not wait_replica or w.wait(1, 200) >= 1:
                        acked.append(i)  # else not on the replica: not acknowledged
                except ERRORS:
                    errors[0] += 1
                    time.sleep(0.05)
                i += 1

        threads = [threading.Thread(target=write, args=(k * 10**8,)) for k in range(writers)]
        for t in threads:
            t.start()
        time.sleep(seconds / 3)
        os.killpg(procs[0].pid, signal.SIGKILL)
        for t in threads:
            t.join()
        back = None
        present: set[int] = set()
        for _ in range(100):
            try:
                present = {int(x) for x in r.lrange("entries", 0, -1)}
                back = sentinel.discover_master("nf")
                break
            except ERRORS:
                time.sleep(0.1)
        lost = [x for x in acked if x not in present]
        return {
            "wait_for_replica": wait_replica,
            "acknowledged": len(acked),
            "lost_acknowledged": len(lost),
            "lost_examples": lost[:5],
            "writers": writers,
            "write_errors_during_failover": errors[0],
            "new_master_port": back[1] if back else None,
            "promoted": bool(back and back[1] == replica_port),
        }
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=6.0, help="writing time per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--writers", type=int, default=8, help="concurrent writers (threads)")
    args = ap.parse_args()
    rounds = [
        one_round(args.seconds, w, args.writers) for _ in range(args.rounds) for w in (False, True)
    ]
    out = {
        "bench": "redis_failover",
        "redis": subprocess.run(
            ["redis-server", "--version"], capture_output=True, text=True
        ).stdout.strip(),
        "rounds": rounds,
        "lost_plain": sum(r["lost_acknowledged"] for r in rounds if not r["wait_for_replica"]),
        "lost_with_wait": sum(r["lost_acknowledged"] for r in rounds if r["wait_for_replica"]),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
