"""The GET/SET hot path allocates nothing per command: a server that answers ten times as many
small GETs and SETs (overwriting one key) performs the same number of mallocs, counted by an
LD_PRELOAD shim. Deterministic, unlike a timing check."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from pathlib import Path

import pytest

import rawresp

SHIM_SOURCE = Path(__file__).parent / "support" / "malloc_count.c"


@pytest.fixture(scope="module")
def shim(tmp_path_factory):
    out = tmp_path_factory.mktemp("shim") / "malloc_count.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-O2", str(SHIM_SOURCE), "-o", str(out), "-ldl"],
                   check=True)
    return out


def mallocs_for(server_binary, shim, tmp_path, redis_benchmark, requests):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    log = tmp_path / f"run{requests}.log"
    with open(log, "wb") as f:
        proc = subprocess.Popen(
            [str(server_binary), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--dir", str(tmp_path)],
            stdout=f, stderr=subprocess.STDOUT, env={"LD_PRELOAD": str(shim)})
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with rawresp.Conn(port, timeout=1.0) as c:
                    c.call_raw("SET", "key:000000000000", "v")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        subprocess.run([redis_benchmark, "-p", str(port), "-c", "4", "-n", str(requests),
                        "-t", "get,set", "-r", "1", "-q"],
                       check=True, capture_output=True, timeout=120)
        with rawresp.Conn(port) as c:
            c.send_command("SHUTDOWN", "NOSAVE")
            c.read_until_closed()
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    m = re.search(rb"MALLOCS (\d+)", log.read_bytes())
    assert m, log.read_text(errors="replace")
    return int(m.group(1))


def test_get_set_allocate_nothing_per_command(server_binary, shim, tmp_path, redis_benchmark):
    small = mallocs_for(server_binary, shim, tmp_path, redis_benchmark, 10_000)
    large = mallocs_for(server_binary, shim, tmp_path, redis_benchmark, 100_000)
    # 180,000 more commands; allow a handful of buffer growths, never one per command.
    assert large - small < 100, (small, large)
