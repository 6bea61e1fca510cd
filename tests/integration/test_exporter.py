"""Monitoring with Debian's prometheus-redis-exporter (oliver006/redis_exporter).

The exporter runs unchanged against the server under test and its /metrics
page is scraped like Prometheus would.  It builds most metrics from INFO ALL
and also sends CLIENT SETNAME, CONFIG GET, SLOWLOG and LATENCY LATEST; a
command the server lacks shows up as an error line in the exporter's log.
The last test compares the set of metric names with the one the same
exporter derives from a real Redis 7.0 (the oracle), so a missing INFO field
shows up by name.
"""

from __future__ import annotations

import os
import re
import sys

from serverproc import free_port

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "support"))

from jobs_common import ServerWatch, Tool, http_get, wait_for_port  # noqa: E402

# name{labels} value  (the exporter writes floats like 1.79e+09)
_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$")


def start_exporter(server, tmp_path, name="exporter"):
    for attempt in range(3):
        port = free_port()
        tool = Tool(
            ["prometheus-redis-exporter", "-redis.addr", f"redis://{server.host}:{server.port}",
             "-web.listen-address", f"127.0.0.1:{port}", "-redis-only-metrics"],
            tmp_path / f"{name}.log", cwd=tmp_path)
        try:
            wait_for_port(port, tool)
            return tool, f"http://127.0.0.1:{port}/metrics"
        except AssertionError:
            tool.close()
            # Someone took the free port first ("address already in use"): retry.
            if attempt == 2 or "address already in use" not in tool.log():
                raise


def scrape(url) -> dict[str, float]:
    """{'name{labels}': value} for every sample on the page."""
    samples = {}
    for line in http_get(url).splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        assert m, f"unparsable metrics line {line!r}"
        samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return samples


def populate(server):
    c = server.client()
    with c.pipeline(transaction=False) as p:
        for i in range(100):
            p.set(f"k{i}", "x" * 100)
        for i in range(30):
            p.expire(f"k{i}", 1000)
        p.execute()
    c.select(3)
    c.rpush("list", *range(20))
    c.hset("h", mapping={"a": 1, "b": 2})
    c.close()


def test_exporter_metrics_page(server_factory, tmp_path):
    server = server_factory("--maxmemory", "64mb", "--appendonly", "no")
    populate(server)
    exporter, url = start_exporter(server, tmp_path)
    with exporter:
        m = scrape(url)
        assert m["redis_up"] == 1
        assert m['redis_exporter_last_scrape_error{err=""}'] == 0
        assert m["redis_connected_clients"] >= 1
        # Keyspace, from INFO keyspace: every database is listed, empty ones as 0.
        assert m['redis_db_keys{db="db0"}'] == 100
        assert m['redis_db_keys_expiring{db="db0"}'] == 30
        assert m['redis_db_keys{db="db3"}'] == 2
        assert m['redis_db_keys_expiring{db="db3"}'] == 0
        assert m['redis_db_keys{db="db1"}'] == 0
        # Command counters, from INFO commandstats.
        assert m['redis_commands_total{cmd="set"}'] == 100
        assert m['redis_commands_total{cmd="expire"}'] == 30
        assert m['redis_commands_total{cmd="rpush"}'] == 1
        assert m['redis_commands_duration_seconds_total{cmd="set"}'] >= 0
        assert m["redis_commands_processed_total"] >= 133
        # Memory gauges.
        assert m["redis_memory_used_bytes"] > 0
        assert m["redis_memory_used_rss_bytes"] > 0
        assert m["redis_memory_used_peak_bytes"] >= m["redis_memory_used_bytes"] * 0.5
        assert m["redis_memory_max_bytes"] == 64 * 1024 * 1024
        assert m["redis_config_maxmemory"] == 64 * 1024 * 1024
        assert m["redis_config_maxclients"] == 10000
        # Persistence gauges.
        assert m["redis_rdb_changes_since_last_save"] >= 133
        assert m["redis_rdb_bgsave_in_progress"] == 0
        assert m["redis_rdb_last_bgsave_status"] == 1
        assert m["redis_aof_enabled"] == 0
        assert m["redis_aof_rewrite_in_progress"] == 0
        assert m["redis_loading_dump_file"] == 0
        assert m["redis_rdb_last_save_timestamp_seconds"] > 1e9
        assert m["redis_uptime_in_seconds"] >= 0
        info = [k for k in m if k.startswith("redis_instance_info{")]
        assert len(info) == 1 and 'role="master"' in info[0] and 'redis_mode="standalone"' in info[0]

        # A SAVE shows on the next scrape: no unsaved changes, a newer save time.
        c = server.client()
        before = m["redis_rdb_last_save_timestamp_seconds"]
        assert c.save() is True
        c.set("after-save", "1")
        c.close()
        m2 = scrape(url)
        assert m2["redis_rdb_changes_since_last_save"] == 1
        assert m2["redis_rdb_last_save_timestamp_seconds"] >= before
        assert m2['redis_db_keys{db="db0"}'] == 101
        assert m2['redis_commands_total{cmd="save"}'] == 1
        assert m2["redis_up"] == 1
        assert exporter.alive(), exporter.log_tail()


def test_exporter_log_has_no_errors(server, tmp_path):
    # The exporter logs every command the server refused (e.g. "cmd LATENCY
    # LATEST, err: ERR unknown command") at level=error.
    populate(server)
    watch = ServerWatch(server)
    exporter, url = start_exporter(server, tmp_path)
    with exporter:
        for _ in range(2):
            assert scrape(url)["redis_up"] == 1
    errors = [ln for ln in exporter.log().splitlines()
              if "level=error" in ln or "level=warn" in ln or "level=fatal" in ln]
    assert not errors, "\n".join(errors)
    # And the server answered none of the exporter's commands with an error.
    watch.check()


def test_exporter_exposes_the_same_metrics_as_redis(server, oracle, tmp_path, is_baozi):
    populate(server)
    populate(oracle)
    names = []
    for s, name in ((server, "server"), (oracle, "oracle")):
        exporter, url = start_exporter(s, tmp_path, name=name)
        with exporter:
            names.append({k.split("{")[0] for k in scrape(url)})
    ours, redis_names = names
    # Error counters only exist once an error has happened. redis_config_io_threads comes from
    # CONFIG GET io-threads: baozi serves all I/O on its one thread by design and has no such
    # parameter to report (accepting one it ignores would be a setting that does nothing).
    ignore = {"redis_errors_total"}
    if is_baozi:
        ignore.add("redis_config_io_threads")
    missing = sorted(redis_names - ours - ignore)
    assert not missing, f"metrics Redis 7.0 has and the server lacks: {missing}"
