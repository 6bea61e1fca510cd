"""Fixtures for the integration suite.

The server under test is `$BAOZI_SERVER` (default `<repo>/build/baozi-server`);
point it at `/usr/bin/redis-server` to check the suite itself against real
Redis.  `$REDIS_ORACLE` (default `/usr/bin/redis-server`) is the reference for
the differential tests.  Each test gets fresh processes on free loopback ports;
they are stopped at teardown, and a server that died during a test fails it
with the tail of its log.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from serverproc import Server, ServerError, baozi_binary, is_redis_binary, oracle_binary

_counter = itertools.count()


def pytest_configure(config):
    # scripts/integration.sh runs the suite in parallel (pytest-xdist), then the tests marked
    # serial one at a time: those that bound how long the server takes to answer, which other
    # tests' servers sharing the two cores would distort.
    config.addinivalue_line(
        "markers", "serial: times the server's answers; run alone, not beside other tests")


@pytest.fixture(scope="session")
def server_binary():
    path = baozi_binary()
    if not path.exists():
        pytest.fail(f"server binary {path} not found: build it or set BAOZI_SERVER", pytrace=False)
    return path


@pytest.fixture(scope="session")
def is_baozi(server_binary) -> bool:
    """False when BAOZI_SERVER points at Redis itself.

    Only for the few places where baozi intentionally differs from Redis 7.0
    (it reports redis_version 7.2.4 and has 7.2's CLIENT SETINFO).
    """
    return not is_redis_binary(server_binary)


def _factory(binary, tmp_path_factory, name):
    started: list[Server] = []

    def start(*args, binary_override=None) -> Server:
        n = next(_counter)
        workdir = tmp_path_factory.mktemp(f"{name}{n}")
        s = Server(binary_override or binary, workdir, args, name=f"{name}{n}")
        try:
            s.start()
        except ServerError as e:
            pytest.fail(str(e), pytrace=False)
        started.append(s)
        return s

    return start, started


def _teardown(started: list[Server]):
    dead = []
    for s in started:
        was_alive = s.alive()
        code = s.stop()
        if s.expect_exit:
            continue
        if not was_alive:
            dead.append(f"{s} died during the test with code {code}\n--- log ---\n{s.log_tail()}")
        elif code != 0:
            # A clean SIGTERM shutdown exits 0; -9 means it ignored SIGTERM for 5 s.
            dead.append(f"{s} exited with {code} on SIGTERM\n--- log ---\n{s.log_tail()}")
    if dead:
        pytest.fail("\n".join(dead), pytrace=False)


@pytest.fixture
def server_factory(server_binary, tmp_path_factory):
    """`start(*extra_args)` starts another server under test (e.g. with --requirepass)."""
    start, started = _factory(server_binary, tmp_path_factory, "server")
    yield start
    _teardown(started)


@pytest.fixture
def server(server_factory) -> Server:
    return server_factory()


@pytest.fixture
def r(server):
    """A redis-py client (str replies) connected to a fresh server."""
    return server.client(decode_responses=True)


@pytest.fixture
def rb(server):
    """A redis-py client with bytes replies."""
    return server.client()


@pytest.fixture(scope="session")
def oracle_binary_path():
    path = oracle_binary()
    if not path.exists():
        pytest.fail(f"oracle {path} not found: run scripts/setup.sh", pytrace=False)
    return path


@pytest.fixture
def oracle_factory(oracle_binary_path, tmp_path_factory):
    """`start(*extra_args)` starts a Debian redis-server the same way."""
    start, started = _factory(oracle_binary_path, tmp_path_factory, "oracle")
    yield start
    _teardown(started)


@pytest.fixture
def oracle(oracle_factory) -> Server:
    return oracle_factory()


def _tool(name):
    path = shutil.which(name) or f"/usr/bin/{name}"
    return path


@pytest.fixture(scope="session")
def redis_cli():
    return _tool("redis-cli")


@pytest.fixture(scope="session")
def redis_benchmark():
    return _tool("redis-benchmark")


@pytest.fixture
def procs():
    """start(binary, workdir, *args) -> a running Server (DEBUG enabled) in `workdir`, for tests
    that restart servers on the same files; all stopped at the end."""
    started: list[Server] = []
    counter = iter(range(1000))

    def start(binary, workdir: Path, *args) -> Server:
        workdir.mkdir(parents=True, exist_ok=True)
        s = Server(binary, workdir, ("--enable-debug-command", "yes", *args),
                   name=f"{Path(binary).name}-{next(counter)}")
        started.append(s)
        s.start()
        return s

    yield start
    for s in started:
        s.stop()
