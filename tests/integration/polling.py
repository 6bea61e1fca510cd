"""Waiting helpers shared by the integration tests: every wait has a deadline."""

import socket
import time

import pytest

DEADLINE_S = 10.0


def wait_until(predicate, what: str, timeout: float = DEADLINE_S, step: float = 0.005):
    """Polls `predicate` until it returns something true, and returns that; fails the test
    with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(step)


def read_exactly(s: socket.socket, n: int) -> bytes:
    """Reads exactly n bytes (the socket's own timeout bounds each read)."""
    out = bytearray()
    while len(out) < n:
        chunk = s.recv(min(1 << 20, n - len(out)))
        assert chunk, f"connection closed after {len(out)} of {n} bytes"
        out += chunk
    return bytes(out)
