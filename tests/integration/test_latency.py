"""LATENCY command family, latency tracking configs and INFO latencystats.

Whatever does not depend on how long a command took is compared byte for byte
with redis-server 7.0.15 (the oracle), in RESP2 and RESP3.  What does (bucket
bounds, percentile values, spike sizes) is checked for shape and consistency on
the server under test alone.
"""

from __future__ import annotations

import re

import pytest

from rawresp import Conn

# A Lua loop that keeps the server busy for some milliseconds on any machine this runs on.
SLOW_SCRIPT = "local n = 0 for i = 1, 3000000 do n = n + i end return 1"


def _both(server, oracle, proto, commands):
    """Runs `commands` on both servers (fresh connections) and returns both reply lists."""
    out = []
    for s in (server, oracle):
        with Conn(s.port) as c:
            if proto == 3:
                c.call("HELLO", "3")
            out.append([c.call_raw(*cmd) for cmd in commands])
    return out


@pytest.mark.parametrize("proto", [2, 3])
def test_deterministic_replies_match_redis(server, oracle, proto):
    commands = [
        ("LATENCY",),
        ("LATENCY", "nope"),
        ("LATENCY", "GRAPH"),
        ("LATENCY", "HISTORY"),
        ("LATENCY", "LATEST", "x"),
        ("LATENCY", "DOCTOR", "x"),
        ("LATENCY", "HELP"),
        ("LATENCY", "LATEST"),
        ("LATENCY", "HISTORY", "command"),
        ("LATENCY", "RESET"),
        ("LATENCY", "RESET", "command", "fork"),
        ("LATENCY", "GRAPH", "command"),
        ("LATENCY", "GRAPH", "a\r\nb"),
        ("LATENCY", "DOCTOR"),
        ("CONFIG", "SET", "latency-tracking-info-percentiles", "abc"),
        ("CONFIG", "SET", "latency-tracking-info-percentiles", "50  99"),
        ("CONFIG", "SET", "latency-tracking-info-percentiles", "101"),
        ("CONFIG", "SET", "latency-tracking-info-percentiles", "-1"),
        ("CONFIG", "SET", "latency-tracking-info-percentiles", "50 inf"),
        ("CONFIG", "SET", "latency-tracking-info-percentiles", "1e400"),
        ("CONFIG", "SET", "latency-tracking-info-percentiles", "1e1 0.0001 100.000 0x10 1.23456789"),
        ("CONFIG", "GET", "latency-tracking-info-percentiles"),
        ("CONFIG", "SET", "latency-tracking-info-percentiles", ""),
        ("CONFIG", "GET", "latency-tracking-info-percentiles"),
        ("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9"),
        ("CONFIG", "SET", "latency-monitor-threshold", "-1"),
        ("CONFIG", "SET", "latency-tracking", "maybe"),
        ("COMMAND", "INFO", "latency|histogram", "latency|reset", "latency|help"),
    ]
    got, want = _both(server, oracle, proto, commands)
    for cmd, g, w in zip(commands, got, want):
        assert g == w, cmd


def _config_map(port, pattern):
    # A glob's matches come in each server's own table order.
    with Conn(port) as c:
        flat = c.call("CONFIG", "GET", pattern)
    return dict(zip(flat[::2], flat[1::2]))


def test_config_defaults_match_redis(server, oracle):
    assert _config_map(server.port, "latency*") == _config_map(oracle.port, "latency*") == {
        b"latency-monitor-threshold": b"0",
        b"latency-tracking": b"yes",
        b"latency-tracking-info-percentiles": b"50 99 99.9",
    }


def _histogram(conn, *names):
    """LATENCY HISTOGRAM as {command: (calls, [(bucket_us, cumulative), ...])} (RESP2)."""
    reply = conn.call("LATENCY", "HISTOGRAM", *names)
    out = {}
    for i in range(0, len(reply), 2):
        name = reply[i].decode()
        body = dict(zip(reply[i + 1][::2], reply[i + 1][1::2]))
        buckets = body[b"histogram_usec"]
        out[name] = (body[b"calls"], list(zip(buckets[::2], buckets[1::2])))
    return out


def _latencystats(conn):
    info = conn.call("INFO", "latencystats")
    text = info.decode() if isinstance(info, bytes) else str(info)
    lines = [l for l in text.split("\r\n") if l and not l.startswith("#")]
    out = {}
    for line in lines:
        key, _, value = line.partition(":")
        assert key.startswith("latency_percentiles_usec_"), line
        out[key[len("latency_percentiles_usec_"):]] = value
    return text, out


@pytest.mark.parametrize("which", ["server", "oracle"])
def test_histogram_and_latencystats(server, oracle, which):
    s = server if which == "server" else oracle
    with Conn(s.port) as c:
        assert c.call("CONFIG", "RESETSTAT") == b"OK"
        for i in range(20):
            c.call("SET", f"k{i}", "v")
        for i in range(5):
            c.call("GET", f"k{i}")
        c.call("CONFIG", "GET", "maxmemory")
        h = _histogram(c)
        assert set(h) == {"config|resetstat", "set", "get", "config|get"}
        assert h["set"][0] == 20 and h["get"][0] == 5 and h["config|resetstat"][0] == 1
        for name, (calls, buckets) in h.items():
            assert buckets, name
            bounds = [b for b, _ in buckets]
            counts = [n for _, n in buckets]
            assert bounds == sorted(set(bounds))
            assert counts == sorted(counts) and counts[-1] == calls and counts[0] > 0
        # Named lookups: a container brings its subcommands, unknown names are skipped, and a
        # subcommand can be named on its own in any case.
        assert set(_histogram(c, "config", "nosuch", "a|b|c")) == {"config|resetstat", "config|get"}
        assert set(_histogram(c, "CONFIG|GET", "Set")) == {"config|get", "set"}
        assert c.call("LATENCY", "HISTOGRAM", "nosuch") == []

        text, stats = _latencystats(c)
        assert text.startswith("# Latencystats\r\n")
        assert {"set", "get", "config|get", "config|resetstat"} <= set(stats)
        for name, value in stats.items():
            m = re.fullmatch(r"p50=(\d+\.\d{3}),p99=(\d+\.\d{3}),p99\.9=(\d+\.\d{3})", value)
            assert m, (name, value)
            p50, p99, p999 = map(float, m.groups())
            assert 0 < p50 <= p99 <= p999 <= 1002438.655
        assert c.call("CONFIG", "SET", "latency-tracking-info-percentiles", "0 12.5 100") == b"OK"
        _, stats = _latencystats(c)
        assert re.fullmatch(r"p0=\d+\.\d{3},p12\.5=\d+\.\d{3},p100=\d+\.\d{3}", stats["set"])
        assert c.call("CONFIG", "SET", "latency-tracking-info-percentiles", "") == b"OK"
        _, stats = _latencystats(c)
        assert stats["set"] == ""

        # Tracking off: nothing new is recorded and INFO lists no command.
        c.call("CONFIG", "SET", "latency-tracking", "no")
        c.call("CONFIG", "RESETSTAT")
        c.call("GET", "k1")
        assert c.call("LATENCY", "HISTOGRAM") == []
        assert _latencystats(c) == ("# Latencystats\r\n", {})
        all_info = c.call("INFO", "everything").decode()
        assert "# Errorstats\r\n" in all_info and "# Latencystats\r\n" in all_info
        assert all_info.index("# Errorstats") < all_info.index("# Latencystats")
        assert all_info.index("# Latencystats") < all_info.index("# Cluster")
        assert "# Latencystats" not in c.call("INFO").decode()


@pytest.mark.parametrize("which", ["server", "oracle"])
def test_command_latency_event(server, oracle, which):
    s = server if which == "server" else oracle
    with Conn(s.port) as c:
        assert c.call("CONFIG", "SET", "latency-monitor-threshold", "1") == b"OK"
        c.call("EVAL", SLOW_SCRIPT, "0")
        latest = c.call("LATENCY", "LATEST")
        events = {e[0].decode(): e[1:] for e in latest}
        assert "command" in events, latest
        when, last, worst = events["command"]
        assert last >= 1 and worst >= last
        history = c.call("LATENCY", "HISTORY", "command")
        assert history and history[-1] == [when, last]
        graph = c.call("LATENCY", "GRAPH", "command")
        lines = graph.decode().split("\n")
        assert re.fullmatch(r"command - high \d+ ms, low \d+ ms \(all time high \d+ ms\)", lines[0])
        assert lines[1] == "-" * 80
        assert lines[-1] == ""
        doctor = c.call("LATENCY", "DOCTOR").decode()
        assert doctor.startswith("Dave, I have observed latency spikes in this Redis instance.")
        assert re.search(r"\n1\. command: \d+ latency spikes \(average \d+ms, mean deviation "
                         r"\d+ms, period \d+\.\d\d sec\)\. Worst all time event \d+ms\.", doctor)
        assert "- Check your Slow Log to understand" in doctor
        # RESP3: the same texts as verbatim strings.
        c.call("HELLO", "3")
        c.send_command("LATENCY", "GRAPH", "command")
        assert c.read_raw().split(b"\r\n", 1)[0].startswith(b"=")
        c.send_command("LATENCY", "DOCTOR")
        raw = c.read_raw()
        assert raw.startswith(b"=") and b"\r\ntxt:Dave, I have observed" in raw
        # Names match exactly for HISTORY and GRAPH, case-insensitively for RESET.
        assert c.call("LATENCY", "HISTORY", "COMMAND") == []
        assert c.call("LATENCY", "RESET", "COMMAND", "command") == 1
        assert c.call("LATENCY", "LATEST") == []
        assert c.call("CONFIG", "SET", "latency-monitor-threshold", "0") == b"OK"
        c.call("EVAL", SLOW_SCRIPT, "0")
        assert c.call("LATENCY", "LATEST") == []


def test_configs_from_command_line_match_redis(server_factory, oracle_factory):
    args = ("--latency-monitor-threshold", "25", "--latency-tracking", "no",
            "--latency-tracking-info-percentiles", "90 99.99")
    got = [_config_map(start(*args).port, "latency*") for start in (server_factory, oracle_factory)]
    assert got[0] == got[1] == {
        b"latency-monitor-threshold": b"25",
        b"latency-tracking": b"no",
        b"latency-tracking-info-percentiles": b"90 99.99",
    }
