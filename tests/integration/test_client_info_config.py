"""CLIENT, INFO and CONFIG GET as redis-py and monitoring tools parse them."""

import re

import pytest
import redis


def test_client_setname_getname_id(r):
    assert r.client_getname() is None
    assert r.client_setname("worker-1") is True
    assert r.client_getname() == "worker-1"
    cid = r.client_id()
    assert isinstance(cid, int) and cid > 0
    with pytest.raises(redis.ResponseError) as e:
        r.client_setname("has space")
    assert str(e.value) == "Client names cannot contain spaces, newlines or special characters."
    assert r.client_setname("") is True  # empty name clears it
    assert r.client_getname() is None


def test_client_list_parsed_by_redis_py(server):
    a = server.client(decode_responses=True)
    b = server.client(decode_responses=True)
    a.client_setname("alpha")
    b.client_setname("beta")
    b.execute_command("SELECT", 3)
    clients = a.client_list()
    by_name = {c["name"]: c for c in clients}
    assert {"alpha", "beta"} <= set(by_name)
    for c in clients:
        for field in ("id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db",
                      "sub", "psub", "multi", "qbuf", "obl", "oll", "omem", "events", "cmd"):
            assert field in c, (field, c)
        assert re.fullmatch(r"127\.0\.0\.1:\d+", c["addr"])
        assert c["laddr"] == f"127.0.0.1:{server.port}"
    assert by_name["alpha"]["cmd"] == "client|list"
    assert by_name["beta"]["db"] == "3"
    assert by_name["alpha"]["flags"] == "N"
    assert int(by_name["alpha"]["id"]) == a.client_id()
    assert a.client_list(_type="normal")
    ids = [c["id"] for c in a.client_list(client_id=[str(a.client_id())])]
    assert ids == [str(a.client_id())]


def test_client_list_line_format(server):
    with server.raw() as c:
        c.call("CLIENT", "SETNAME", "raw")
        text = c.call("CLIENT", "LIST")
        lines = text.split(b"\n")
        assert lines[-1] == b""
        for line in lines[:-1]:
            for token in line.split(b" "):
                assert b"=" in token, line
        info = c.call("CLIENT", "INFO")
        assert info.endswith(b"\n") and info.count(b"\n") == 1
        assert b" name=raw " in info
        assert info.startswith(b"id=%d " % c.call("CLIENT", "ID"))


def test_client_info_redis_py(r):
    r.client_setname("me")
    info = r.client_info()
    assert info["name"] == "me"
    assert int(info["db"]) == 0
    assert info["cmd"] == "client|info"


def test_client_setinfo(r, is_baozi):
    # CLIENT SETINFO is Redis 7.2; baozi (reporting 7.2.4) must have it, 7.0 rejects it.
    if is_baozi:
        assert r.execute_command("CLIENT", "SETINFO", "LIB-NAME", "redis-py") == "OK"
        assert r.execute_command("CLIENT", "SETINFO", "LIB-VER", "4.3.4") == "OK"
    else:
        with pytest.raises(redis.ResponseError, match="unknown subcommand 'SETINFO'"):
            r.execute_command("CLIENT", "SETINFO", "LIB-NAME", "redis-py")


def test_client_kill(server):
    a = server.client(decode_responses=True)
    victim = server.raw()
    victim_id = victim.call("CLIENT", "ID")
    assert a.execute_command("CLIENT", "KILL", "ID", victim_id) == 1
    assert victim.read_until_closed() == b""
    victim.close()
    assert a.execute_command("CLIENT", "KILL", "ID", victim_id) == 0


def test_info_sections_and_fields(r, is_baozi, server):
    r.set("a", "1")
    r.set("b", "2", ex=1000)
    r.get("a")
    r.get("zz")
    info = r.info()
    if is_baozi:
        assert info["redis_version"] == "7.2.4"
    else:
        assert re.fullmatch(r"\d+\.\d+\.\d+", info["redis_version"])
    assert info["redis_mode"] == "standalone"
    assert re.fullmatch(r"[0-9a-f]{40}", info["run_id"])
    assert info["tcp_port"] == server.port
    assert info["arch_bits"] == 64
    assert "os" in info and "process_id" in info
    for field in ("uptime_in_seconds", "uptime_in_days", "connected_clients", "blocked_clients",
                  "used_memory", "maxmemory", "total_commands_processed",
                  "total_connections_received", "instantaneous_ops_per_sec",
                  "total_net_input_bytes", "keyspace_hits", "keyspace_misses", "expired_keys",
                  "evicted_keys", "rdb_last_save_time", "connected_slaves", "master_repl_offset"):
        assert isinstance(info[field], int), field
    assert info["connected_clients"] >= 1
    assert info["used_memory"] > 0
    assert info["used_memory_human"][-1] in "BKMG"
    assert "used_memory_peak_human" in info
    assert info["maxmemory"] == 0
    assert info["maxmemory_policy"] == "noeviction"
    assert info["loading"] == 0
    assert info["role"] == "master"
    assert info["connected_slaves"] == 0
    assert info["cluster_enabled"] == 0
    assert info["keyspace_hits"] >= 1 and info["keyspace_misses"] >= 1
    assert info["total_commands_processed"] >= 4
    assert info["db0"] == {"keys": 2, "expires": 1, "avg_ttl": info["db0"]["avg_ttl"]}
    assert 0 <= info["db0"]["avg_ttl"] <= 1000 * 1000


def test_info_section_headers(server):
    with server.raw() as c:
        text = c.call("INFO")
        for header in (b"# Server", b"# Clients", b"# Memory", b"# Persistence", b"# Stats",
                       b"# Replication", b"# CPU", b"# Keyspace"):
            assert header + b"\r\n" in text
        for line in text.split(b"\r\n"):
            if line and not line.startswith(b"#"):
                assert re.fullmatch(rb"[a-z0-9_]+:[^\r\n]*", line), line
        server_only = c.call("INFO", "server")
        assert server_only.startswith(b"# Server\r\n")
        assert b"# Clients" not in server_only
        two = c.call("INFO", "server", "clients")
        assert b"# Server\r\n" in two and b"# Clients\r\n" in two and b"# Memory" not in two
        assert b"# Keyspace\r\n" in c.call("INFO", "keyspace")
        everything = c.call("INFO", "everything")
        assert b"# Commandstats\r\n" in everything
        assert b"# Commandstats\r\n" in c.call("INFO", "all")
        assert b"# Commandstats" not in c.call("INFO", "default")
        assert c.call("INFO", "nosuchsection") == b""


def test_info_commandstats(r):
    for _ in range(3):
        r.set("a", "1")
    r.get("a")
    stats = r.info("commandstats")
    assert stats["cmdstat_set"]["calls"] == 3
    assert stats["cmdstat_get"]["calls"] == 1
    assert set(stats["cmdstat_set"]) >= {"calls", "usec", "usec_per_call",
                                         "rejected_calls", "failed_calls"}


def test_info_keyspace_multiple_dbs(server):
    c = server.client(decode_responses=True, db=5)
    c.set("x", "1")
    ks = server.client(decode_responses=True).info("keyspace")
    assert ks == {"db5": {"keys": 1, "expires": 0, "avg_ttl": 0}}


def test_config_get(r, server):
    assert r.config_get("save") == {"save": ""}
    assert r.config_get("appendonly") == {"appendonly": "no"}
    assert r.config_get("databases") == {"databases": "16"}
    assert r.config_get("port") == {"port": str(server.port)}
    assert r.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    assert r.config_get("nosuchparameter") == {}
    every = r.config_get("*")
    for name in ("save", "appendonly", "databases", "port", "bind", "maxmemory", "timeout",
                 "maxclients", "appendfsync", "notify-keyspace-events", "dir", "requirepass"):
        assert name in every, name
    assert every["databases"] == "16"
    assert set(r.config_get("maxmemory*")) >= {"maxmemory", "maxmemory-policy"}
    flat = r.execute_command("CONFIG", "GET", "save", "appendonly")
    assert dict(zip(flat[::2], flat[1::2])) == {"save": "", "appendonly": "no"}


def test_config_set_and_resetstat(r):
    assert r.config_set("notify-keyspace-events", "Ex") is True
    assert r.config_get("notify-keyspace-events")["notify-keyspace-events"] in ("xE", "Ex")
    assert r.config_set("maxmemory-policy", "allkeys-lru") is True
    assert r.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}
    r.set("a", "1")
    assert r.config_resetstat() is True
    assert r.info("stats")["keyspace_hits"] == 0
    with pytest.raises(redis.ResponseError):
        r.config_set("nosuchparameter", "1")


def test_select_and_db_range(r):
    assert r.execute_command("SELECT", 15) is True
    with pytest.raises(redis.ResponseError, match="DB index is out of range"):
        r.execute_command("SELECT", 16)
    with pytest.raises(redis.ResponseError, match="value is not an integer or out of range"):
        r.execute_command("SELECT", "x")


def test_cluster_disabled(r):
    with pytest.raises(redis.ResponseError, match="This instance has cluster support disabled"):
        r.execute_command("CLUSTER", "INFO")


def test_time_dbsize_flush(r):
    secs, usecs = r.time()
    assert secs > 1_600_000_000 and 0 <= usecs < 1_000_000
    r.mset({"a": 1, "b": 2})
    assert r.dbsize() == 2
    assert r.flushdb() is True
    assert r.dbsize() == 0
