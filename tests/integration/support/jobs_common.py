"""Shared bits for the job-queue, twemproxy and exporter tests.

Those tests run third-party tools (an RQ or Celery worker, nutcracker,
prometheus-redis-exporter) as subprocesses against the server under test.
The helpers here start such a tool with its output in a file, wait for it,
and check afterwards that the server never had to answer with an error
(INFO errorstats) nor logged a warning while the tool ran.
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

SUPPORT_DIR = Path(__file__).resolve().parent

# "pid:role dd Mon yyyy hh:mm:ss.mmm <level> message"; '#' is the warning level
# in both Redis and baozi.
_WARNING_LINE = re.compile(r"^\d+:[A-Z] .* # ")


class Tool:
    """A tool subprocess with stdout/stderr in `log_path`; killed by close()."""

    def __init__(self, args, log_path: Path, cwd=None, env=None):
        self.args = [str(a) for a in args]
        self.log_path = Path(log_path)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                self.args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=cwd, env=env, start_new_session=True)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_tail(self, n: int = 60) -> str:
        return "\n".join(self.log().splitlines()[-n:])

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.close()
            raise AssertionError(
                f"{self.args[0]} still running after {timeout}s\n--- log ---\n{self.log_tail()}")

    def terminate(self, timeout: float = 20.0) -> int:
        """SIGTERM (a warm shutdown for Celery) and the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def wait_for_port(port: int, tool: Tool, timeout: float = 10.0, host: str = "127.0.0.1"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not tool.alive():
            raise AssertionError(
                f"{tool.args[0]} exited with {tool.proc.returncode}\n--- log ---\n{tool.log_tail()}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"{tool.args[0]} not listening on {port}\n--- log ---\n{tool.log_tail()}")


def http_get(url: str, timeout: float = 10.0) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        assert resp.status == 200, url
        return resp.read().decode()


def error_stats(server) -> dict[str, int]:
    """INFO errorstats as {"ERR": count, ...}, read on a fresh connection."""
    c = server.client(decode_responses=True)
    try:
        info = c.info("errorstats")
    finally:
        c.close()
    # redis-py leaves "count=N" unparsed when there is a single field.
    return {k.removeprefix("errorstat_"): int(v["count"] if isinstance(v, dict) else
                                             v.removeprefix("count="))
            for k, v in info.items()}


class ServerWatch:
    """Marks the server log's end now; check() asserts nothing went wrong since.

    "Wrong" means an error reply of a kind not in `allowed` (INFO errorstats,
    which counts every error a client was sent, e.g. an unknown command), or a
    warning line in the server log.
    """

    def __init__(self, server):
        self.server = server
        self.offset = server.log_path.stat().st_size if server.log_path.exists() else 0
        self.errors_before = error_stats(server)

    def new_log(self) -> str:
        with open(self.server.log_path, "rb") as f:
            f.seek(self.offset)
            return f.read().decode(errors="replace")

    def check(self, allowed=()):
        after = error_stats(self.server)
        new = {k: v - self.errors_before.get(k, 0) for k, v in after.items()}
        unexpected = {k: v for k, v in new.items() if v and k not in allowed}
        assert not unexpected, f"server answered with errors {unexpected}"
        warnings = [ln for ln in self.new_log().splitlines() if _WARNING_LINE.match(ln)]
        assert not warnings, "server logged warnings:\n" + "\n".join(warnings)
