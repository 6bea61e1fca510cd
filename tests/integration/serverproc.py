"""Starting and stopping server processes on free loopback ports.

Every server under test (baozi, or Debian's redis-server as the oracle) is
started with only the options both accept: `--port N --bind 127.0.0.1
--save '' --dir <tmp>` plus whatever a test adds (e.g. `--requirepass`).
A server counts as up once it answers PING (`+PONG`, or `-NOAUTH` when a
password is required).  The port comes from the kernel (bind to port 0); if
another process grabs it before the server binds, the start is retried on a
new port.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import redis

import rawresp

REPO = Path(__file__).resolve().parents[2]
DEFAULT_BAOZI = REPO / "build" / "baozi-server"
DEFAULT_ORACLE = Path("/usr/bin/redis-server")

_live: set["Server"] = set()


def baozi_binary() -> Path:
    # Absolute: servers run with their temporary directory as cwd.
    return Path(os.environ.get("BAOZI_SERVER", str(DEFAULT_BAOZI))).absolute()


def oracle_binary() -> Path:
    return Path(os.environ.get("REDIS_ORACLE", str(DEFAULT_ORACLE))).absolute()


def sanitizer() -> str:
    """The sanitizer the server under test was built with ("asan", "tsan"), or "".

    scripts/sanitize.sh says so through $BAOZI_SANITIZER: a sanitizer's allocator and shadow
    memory make the server's RSS say nothing about baozi's own memory.
    """
    return os.environ.get("BAOZI_SANITIZER", "")


def is_redis_binary(path: Path) -> bool:
    """True when `path` is Redis itself rather than baozi.

    /usr/bin/redis-server is a symlink to redis-check-rdb, so look at the
    name as given and at the resolved name.
    """
    names = {path.name, Path(os.path.realpath(path)).name}
    return any(n.startswith("redis-") for n in names)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerError(RuntimeError):
    pass


class Server:
    """One server process; use start()/stop() or the pytest fixtures."""

    def __init__(self, binary: Path, workdir: Path, args=(), name: str = "server"):
        self.binary = Path(binary).absolute()
        self.workdir = Path(workdir)
        self.args = [str(a) for a in args]
        self.name = name
        self.host = "127.0.0.1"
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.log_path = self.workdir / f"{name}.log"
        self.expect_exit = False
        self._clients: list[redis.Redis] = []

    # --- lifecycle -------------------------------------------------------
    def command_line(self, port: int) -> list[str]:
        return [
            str(self.binary),
            "--port", str(port),
            "--bind", self.host,
            "--save", "",
            "--dir", str(self.workdir),
            *self.args,
        ]

    def start(self, timeout: float = 10.0) -> "Server":
        if not self.binary.exists():
            raise ServerError(
                f"server binary {self.binary} does not exist (set BAOZI_SERVER or build it)"
            )
        self.workdir.mkdir(parents=True, exist_ok=True)
        last_log = ""
        for _ in range(5):
            port = free_port()
            with open(self.log_path, "ab") as log:
                self.proc = subprocess.Popen(
                    self.command_line(port),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self.workdir,
                    start_new_session=True,
                )
            self.port = port
            _live.add(self)
            if self._wait_ready(timeout):
                return self
            last_log = self.log_tail()
            self.kill()
            if "in use" not in last_log:
                break
        raise ServerError(
            f"{self.name} ({self.binary}) did not answer PING; command line "
            f"{self.command_line(self.port)}\n--- log ---\n{last_log}"
        )

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with rawresp.Conn(self.port, self.host, timeout=1.0) as c:
                    reply = c.call_raw("PING")
                if reply == b"+PONG\r\n" or reply.startswith(b"-NOAUTH"):
                    return True
            except (OSError, TimeoutError, ConnectionError):
                pass
            time.sleep(0.02)
        return False

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM, then SIGKILL after `timeout`; returns the exit code."""
        for c in self._clients:
            try:
                c.close()
            except Exception:
                pass
        self._clients.clear()
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        _live.discard(self)
        return self.proc.returncode

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        _live.discard(self)

    def rss_bytes(self) -> int:
        """The server process's resident memory (VmRSS), in bytes."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS line")

    def log_tail(self, n: int = 40) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    # --- clients ---------------------------------------------------------
    def client(self, **kw) -> redis.Redis:
        kw.setdefault("socket_timeout", 30)
        c = redis.Redis(host=self.host, port=self.port, **kw)
        self._clients.append(c)
        return c

    def raw(self, timeout: float = 10.0) -> rawresp.Conn:
        return rawresp.Conn(self.port, self.host, timeout=timeout)

    def __repr__(self):
        return f"<{self.name} {self.binary} port={self.port}>"


@atexit.register
def _kill_leftovers():
    for s in list(_live):
        s.kill()
