"""node-redis (npm `redis` v4 and v5) and ioredis, installed unchanged from npm, against the server.

Each client is driven by a program in tests/clients/node (`node <program> <port>`; the packages
come from that directory's package-lock.json via `npm ci`, which scripts/setup.sh runs). The
program covers connecting (ioredis' INFO ready check), commands of every type, pipelines and
MULTI, pub/sub, scripts falling back from EVALSHA to EVAL on NOSCRIPT and, for node-redis v5
with `RESP: 3`, the RESP3 reply shapes and its client-side cache (CLIENT TRACKING). It prints
`ok <step>` per passed step and `DONE` at the end. Half way through it prints `RESTART` and
waits: this side stops the server, starts a new one on the same port and writes `GO`, and the
program then checks that its clients reconnected and resubscribed by themselves. Every test
passes against Redis 7.0 too.
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

import serverproc

NODE_DIR = Path(__file__).resolve().parents[1] / "clients" / "node"
PROGRAM_TIMEOUT = 60.0  # seconds for a whole program; each normally takes about one

COMMON_STEPS = ["strings", "hashes", "lists", "sets", "zsets", "expiry-and-keys", "pipeline",
                "multi", "scripts-noscript-fallback", "pubsub", "restart-resubscribe"]

PROGRAMS = {
    "ioredis": ("ioredis.js", ["connect-ready-check", *COMMON_STEPS, "quit"]),
    "node-redis-v4": ("redis4.js", ["connect", *COMMON_STEPS, "close"]),
    "node-redis-v5": ("redis5.js", ["connect", *COMMON_STEPS, "close"]),
    "node-redis-v5-resp3": ("redis5_resp3.js", ["connect", *COMMON_STEPS, "resp3-shapes",
                                                 "close"]),
    # Needs CLIENT TRACKING (RESP3 invalidation pushes); no restart in this one.
    "node-redis-v5-client-side-cache": ("redis5_client_cache.js", [
        "connect-tracking", "cached-reads", "invalidation", "flush-invalidates-all", "close"]),
}


def _node() -> str:
    return shutil.which("node") or "/usr/bin/node"


@pytest.fixture(scope="session")
def node_clients():
    """The client packages installed in tests/clients/node at the versions package.json pins."""
    pinned = json.loads((NODE_DIR / "package.json").read_text())["dependencies"]
    missing = []
    for name, spec in pinned.items():
        installed = NODE_DIR / "node_modules" / name / "package.json"
        want = spec.rsplit("@", 1)[-1] if spec.startswith("npm:") else spec
        if not installed.exists():
            missing.append(f"{name} (not installed)")
        elif (got := json.loads(installed.read_text())["version"]) != want:
            missing.append(f"{name} {got} instead of {want}")
    if missing:
        pytest.fail(f"run `npm ci` in {NODE_DIR} (scripts/setup.sh does): {', '.join(missing)}",
                    pytrace=False)
    return NODE_DIR


def _restart_on_same_port(server, monkeypatch):
    """Stops `server` (it must exit cleanly) and starts the same command line on its port."""
    port = server.port
    code = server.stop()
    assert code == 0, f"{server} exited with {code} on SIGTERM\n{server.log_tail()}"
    # Server.start() asks free_port() for a port; pin it so clients find the new process
    # where the old one was.
    monkeypatch.setattr(serverproc, "free_port", lambda: port)
    server.start()
    assert server.port == port


class _Program:
    """A node program whose stdout lines arrive through a queue, read with a deadline."""

    def __init__(self, script: str, port: int):
        self.proc = subprocess.Popen(
            [_node(), script, str(port)], cwd=NODE_DIR, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._deadline = time.monotonic() + PROGRAM_TIMEOUT
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def next_line(self) -> str | None:
        """The next stdout line, or None at end of output; fails the test on timeout."""
        try:
            line = self._queue.get(timeout=max(self._deadline - time.monotonic(), 0.01))
        except queue.Empty:
            self.proc.kill()
            pytest.fail(f"no output within {PROGRAM_TIMEOUT} s\n{self.transcript()}",
                        pytrace=False)
        if line is not None:
            self.lines.append(line)
        return line

    def send(self, line: str):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def finish(self) -> int:
        try:
            return self.proc.wait(timeout=max(self._deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            pytest.fail(f"did not exit within {PROGRAM_TIMEOUT} s\n{self.transcript()}",
                        pytrace=False)

    def transcript(self) -> str:
        self.proc.poll()
        err = ""
        if self.proc.returncode is not None:
            err = self.proc.stderr.read()
        return "--- stdout ---\n" + "\n".join(self.lines) + "\n--- stderr ---\n" + err


@pytest.mark.parametrize("client", list(PROGRAMS))
def test_node_client(client, node_clients, server, monkeypatch):
    script, steps = PROGRAMS[client]
    program = _Program(script, server.port)
    restarts = 0
    while (line := program.next_line()) is not None:
        if line == "RESTART":
            restarts += 1
            _restart_on_same_port(server, monkeypatch)
            program.send("GO")
    code = program.finish()
    out = program.transcript()
    failures = [line for line in program.lines if line.startswith("FAIL")]
    assert not failures, out
    assert code == 0, out
    assert restarts == (0 if client.endswith("client-side-cache") else 1), out
    assert [line[3:] for line in program.lines if line.startswith("ok ")] == steps, out
    assert program.lines[-1] == "DONE", out
    # The clients worked against the restarted server and left it healthy.
    with server.raw() as c:
        assert c.call_raw("PING") == b"+PONG\r\n"
