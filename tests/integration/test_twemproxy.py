"""Sharding across three servers behind twemproxy (Debian's nutcracker).

Three servers under test sit behind one nutcracker pool (ketama consistent
hashing); redis-py talks only to the proxy.  The keys must spread over all
three instances, each key living on exactly one, and everything written
through the proxy must read back through it, including multi-key commands
the proxy splits per shard (MGET, DEL) and non-transactional pipelines.
nutcracker's own stats must show no server errors or timeouts, and no
instance may have answered the proxy with an error.
"""

from __future__ import annotations

import json
import os
import socket
import sys

import pytest
import redis

from serverproc import free_port

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "support"))

from jobs_common import ServerWatch, Tool, wait_for_port  # noqa: E402

N_KEYS = 600

CONFIG = """\
shard:
  listen: 127.0.0.1:{port}
  hash: fnv1a_64
  distribution: ketama
  redis: true
  auto_eject_hosts: false
  timeout: 5000
  server_connections: 1
  preconnect: true
{extra}  servers:
{servers}
"""


def start_proxy(tmp_path, backends, extra=""):
    port, stats_port = free_port(), free_port()
    servers = "\n".join(f"   - {s.host}:{s.port}:1 shard{i}" for i, s in enumerate(backends))
    conf = tmp_path / "nutcracker.yml"
    conf.write_text(CONFIG.format(port=port, servers=servers, extra=extra))
    proxy = Tool(
        ["nutcracker", "--conf-file", conf, "--stats-port", stats_port, "--stats-addr",
         "127.0.0.1", "--stats-interval", "100", "--pid-file", tmp_path / "nutcracker.pid",
         "--output", tmp_path / "nutcracker.log", "--verbose", "5"],
        tmp_path / "nutcracker.out", cwd=tmp_path)
    try:
        wait_for_port(port, proxy)
    except AssertionError as e:
        raise AssertionError(f"{e}\n--- nutcracker.log ---\n"
                             f"{(tmp_path / 'nutcracker.log').read_text(errors='replace')}")
    return proxy, port, stats_port


def proxy_stats(stats_port) -> dict:
    with socket.create_connection(("127.0.0.1", stats_port), timeout=5) as s:
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return json.loads(data)


def test_twemproxy_spreads_keys_over_three_servers(server_factory, tmp_path):
    backends = [server_factory() for _ in range(3)]
    watches = [ServerWatch(s) for s in backends]
    proxy, port, stats_port = start_proxy(tmp_path, backends)
    with proxy:
        c = redis.Redis(host="127.0.0.1", port=port, decode_responses=True, socket_timeout=10)
        expected = {f"user:{i}": f"value-{i}" for i in range(N_KEYS)}
        for k, v in list(expected.items())[: N_KEYS // 2]:
            assert c.set(k, v) is True
        # Pipelines (not MULTI: twemproxy has no transactions) are split per shard.
        with c.pipeline(transaction=False) as p:
            for k, v in list(expected.items())[N_KEYS // 2:]:
                p.set(k, v)
            assert p.execute() == [True] * (N_KEYS - N_KEYS // 2)

        # Other types and commands, routed by key.
        assert c.incrby("counter", 5) == 5
        assert c.hset("hash", mapping={"a": "1", "b": "2"}) == 2
        assert c.hgetall("hash") == {"a": "1", "b": "2"}
        assert c.rpush("list", "x", "y", "z") == 3
        assert c.lrange("list", 0, -1) == ["x", "y", "z"]
        assert c.sadd("set", "m1", "m2") == 2
        assert c.zadd("zset", {"p": 1.5, "q": 2}) == 2
        assert c.zrange("zset", 0, -1, withscores=True) == [("p", 1.5), ("q", 2.0)]
        assert c.set("temp", "t", ex=100) is True
        assert 0 < c.ttl("temp") <= 100
        expected.update({"counter": "5", "temp": "t"})
        others = {"hash", "list", "set", "zset"}

        # Everything reads back through the proxy, one by one and in one MGET
        # that nutcracker fans out to every shard and reassembles in order.
        keys = list(expected)
        for k in keys[:50]:
            assert c.get(k) == expected[k]
            assert c.exists(k) == 1
        assert c.mget(keys) == [expected[k] for k in keys]

        # Each key lives on exactly one instance, and every instance has some.
        direct = [s.client(decode_responses=True) for s in backends]
        sizes = [d.dbsize() for d in direct]
        assert all(n > 0 for n in sizes), sizes
        assert sum(sizes) == len(expected) + len(others), sizes
        for k in keys[:100]:
            holders = [d for d in direct if d.exists(k)]
            assert len(holders) == 1, k
            assert holders[0].get(k) == expected[k]
        # Ketama places the shards by their names, so the split is fixed
        # (about 400/100/100 here): every shard gets a real share.
        assert min(sizes) > 0.1 * sum(sizes), sizes

        # A multi-key DEL is split per shard too and the counts are summed.
        gone = keys[:100]
        assert c.delete(*gone) == 100
        assert c.mget(gone) == [None] * 100
        assert sum(d.dbsize() for d in direct) == sum(sizes) - 100

        stats = proxy_stats(stats_port)
        pool = stats["shard"]
        assert pool["client_err"] == 0, pool
        for i in range(3):
            srv = pool[f"shard{i}"]
            assert srv["server_err"] == 0, (i, srv)
            assert srv["server_timedout"] == 0, (i, srv)
            assert srv["server_eof"] == 0, (i, srv)
        assert proxy.alive(), proxy.log_tail()
        c.close()
    for w in watches:
        w.check()


def test_twemproxy_with_auth(server_factory, tmp_path):
    # The proxy logs in to each backend (AUTH on every server connection) and
    # clients authenticate to the proxy with the same password.  (nutcracker
    # 0.5.0's redis_db option sends no SELECT, against Redis too: not tested.)
    backends = [server_factory("--requirepass", "s3cret") for _ in range(3)]
    proxy, port, _ = start_proxy(tmp_path, backends,
                                 extra="  redis_auth: s3cret\n")
    with proxy:
        anon = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10)
        with pytest.raises(redis.exceptions.AuthenticationError):
            anon.set("k", "v")
        anon.close()

        c = redis.Redis(host="127.0.0.1", port=port, password="s3cret",
                        decode_responses=True, socket_timeout=10)
        with c.pipeline(transaction=False) as p:
            for i in range(300):
                p.set(f"k{i}", i)
            p.execute()
        assert c.mget([f"k{i}" for i in range(300)]) == [str(i) for i in range(300)]
        sizes = []
        for s in backends:
            sizes.append(s.client(password="s3cret").dbsize())
        assert all(n > 0 for n in sizes) and sum(sizes) == 300, sizes
        c.close()
