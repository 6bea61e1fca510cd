"""Expiry as a client sees it: TTL/PTTL bounds and keys that disappear.

Short TTLs with polling against a deadline, never fixed sleeps, so the tests
are fast on an idle machine and still pass on a loaded one."""

import time

import pytest


def wait_gone(r, key, deadline_s=5.0):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if r.exists(key) == 0:
            return time.monotonic()
        time.sleep(0.01)
    pytest.fail(f"key {key!r} still exists {deadline_s}s later")


def test_set_px_expires(r):
    t0 = time.monotonic()
    assert r.set("k", "v", px=100)
    pttl = r.pttl("k")
    assert 0 < pttl <= 100
    assert r.ttl("k") in (0, 1)
    gone = wait_gone(r, "k")
    assert gone - t0 >= 0.09
    assert r.get("k") is None
    assert r.ttl("k") == -2
    assert r.pttl("k") == -2


def test_set_ex_ttl(r):
    assert r.set("k", "v", ex=100)
    assert 99 <= r.ttl("k") <= 100
    assert 99000 < r.pttl("k") <= 100000
    now = time.time()
    et = r.execute_command("EXPIRETIME", "k")
    assert abs(et - (now + 100)) <= 2
    pet = r.execute_command("PEXPIRETIME", "k")
    assert abs(pet - (now + 100) * 1000) <= 2000


def test_ttl_without_expiry_and_missing(r):
    r.set("k", "v")
    assert r.ttl("k") == -1
    assert r.pttl("k") == -1
    assert r.execute_command("EXPIRETIME", "k") == -1
    assert r.ttl("missing") == -2
    assert r.execute_command("PEXPIRETIME", "missing") == -2


def test_expire_pexpire_persist(r):
    r.set("k", "v")
    assert r.expire("k", 50) is True
    assert 49 <= r.ttl("k") <= 50
    assert r.persist("k") is True
    assert r.ttl("k") == -1
    assert r.persist("k") is False
    assert r.pexpire("k", 100) is True
    wait_gone(r, "k")
    assert r.expire("k", 10) is False


def test_expireat_pexpireat(r):
    r.set("a", "v")
    r.set("b", "v")
    assert r.expireat("a", int(time.time()) + 100)
    assert 98 <= r.ttl("a") <= 100
    assert r.pexpireat("b", int(time.time() * 1000) + 150)
    wait_gone(r, "b")
    assert r.expireat("a", 1)  # in the past: deleted at once
    assert r.exists("a") == 0


def test_expire_options(r):
    r.set("k", "v")
    assert r.execute_command("EXPIRE", "k", 100, "XX") == 0
    assert r.execute_command("EXPIRE", "k", 100, "NX") == 1
    assert r.execute_command("EXPIRE", "k", 200, "NX") == 0
    assert r.execute_command("EXPIRE", "k", 50, "GT") == 0
    assert r.execute_command("EXPIRE", "k", 200, "GT") == 1
    assert r.execute_command("EXPIRE", "k", 300, "LT") == 0
    assert r.execute_command("EXPIRE", "k", 10, "LT") == 1
    assert r.ttl("k") <= 10
    incompatible = "NX and XX, GT or LT options at the same time are not compatible"
    with pytest.raises(Exception, match=incompatible):
        r.execute_command("EXPIRE", "k", 10, "NX", "XX")


def test_set_keepttl_and_overwrite_clears_ttl(r):
    r.set("k", "v", ex=100)
    r.set("k", "v2", keepttl=True)
    assert r.ttl("k") > 90
    r.set("k", "v3")
    assert r.ttl("k") == -1


def test_getex_and_setex_psetex(r):
    r.set("k", "v")
    assert r.getex("k", px=100) == "v"
    wait_gone(r, "k")
    assert r.setex("s", 100, "v")
    assert 99 <= r.ttl("s") <= 100
    assert r.psetex("p", 120, "v")
    assert r.pttl("p") <= 120
    wait_gone(r, "p")
    assert r.getex("s", persist=True) == "v"
    assert r.ttl("s") == -1


def test_invalid_expire_times(r):
    for args in (("EX", 0), ("EX", -1), ("PX", 0), ("EX", 9223372036854775807)):
        with pytest.raises(Exception, match="invalid expire time in 'set' command"):
            r.execute_command("SET", "k", "v", *args)
    with pytest.raises(Exception, match="invalid expire time in 'setex' command"):
        r.setex("k", 0, "v")


def test_expired_keys_leave_keyspace_counts(r):
    for i in range(50):
        r.set(f"e{i}", "v", px=50)
    for i in range(50):
        r.set(f"p{i}", "v")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and r.exists(*[f"e{i}" for i in range(50)]):
        time.sleep(0.01)
    assert r.exists(*[f"e{i}" for i in range(50)]) == 0
    assert sorted(r.keys("*")) == sorted(f"p{i}" for i in range(50))
    assert r.info("stats")["expired_keys"] >= 50
