"""redis-py over the typed stores: iterators, scores, blocking pops across connections and a
producer/consumer work queue like the seeds' job-queue examples."""

import threading
import time

import pytest
import redis

import rawresp


def test_hscan_iter_sees_every_field_of_both_encodings(r):
    small = {f"f{i}": str(i) for i in range(10)}
    r.hset("small", mapping=small)
    big = {f"field:{i}": f"value:{i}" for i in range(2000)}
    for i in range(0, 2000, 500):
        r.hset("big", mapping=dict(list(big.items())[i:i + 500]))
    assert r.object("encoding", "small") == "listpack"
    assert r.object("encoding", "big") == "hashtable"
    assert dict(r.hscan_iter("small")) == small
    assert dict(r.hscan_iter("big")) == big
    assert dict(r.hscan_iter("big", match="field:1??", count=50)) == {
        k: v for k, v in big.items() if len(k) == 9 and k.startswith("field:1")
    }


def test_sscan_and_zscan_iterators(r):
    r.sadd("s", *range(1000))
    assert r.object("encoding", "s") == "hashtable"
    assert {int(x) for x in r.sscan_iter("s", count=100)} == set(range(1000))
    r.zadd("z", {f"m{i}": i for i in range(300)})
    assert r.object("encoding", "z") == "skiplist"
    assert dict(r.zscan_iter("z")) == {f"m{i}": float(i) for i in range(300)}


def test_zrange_withscores(r):
    r.zadd("z", {"a": 1, "b": 2.5, "c": -3, "d": float("inf")})
    assert r.zrange("z", 0, -1, withscores=True) == [
        ("c", -3.0), ("a", 1.0), ("b", 2.5), ("d", float("inf"))]
    assert r.zrange("z", 0, 1, desc=True, withscores=True) == [("d", float("inf")), ("b", 2.5)]
    assert r.zrangebyscore("z", "(1", "+inf", withscores=True) == [("b", 2.5), ("d", float("inf"))]
    assert r.zincrby("z", 0.5, "a") == 1.5
    assert r.zscore("z", "a") == 1.5


def test_blpop_across_two_connections(server):
    waiter = server.client(decode_responses=True)
    pusher = server.client(decode_responses=True)
    got = {}

    def wait():
        got["reply"] = waiter.blpop(["jobs", "other"], timeout=10)

    t = threading.Thread(target=wait)
    t.start()
    deadline = time.time() + 5
    while pusher.info("clients")["blocked_clients"] != 1 and time.time() < deadline:
        time.sleep(0.01)
    assert pusher.info("clients")["blocked_clients"] == 1
    assert pusher.rpush("other", "hello") == 1
    t.join(5)
    assert got["reply"] == ("other", "hello")
    assert pusher.exists("other") == 0
    assert pusher.info("clients")["blocked_clients"] == 0


def test_blpop_times_out_with_none(r):
    start = time.monotonic()
    assert r.blpop("nothing", timeout=0.05) is None
    assert r.brpoplpush("nothing", "dst", timeout=0.05) is None
    assert time.monotonic() - start < 2


def test_commands_pipelined_behind_a_blocked_one_wait_for_it(server):
    """A blocked client processes nothing else until it is served."""
    with rawresp.Conn(server.port) as c, rawresp.Conn(server.port) as p:
        c.send(rawresp.encode(b"BLPOP", b"q", b"0") + rawresp.encode(b"PING"))
        deadline = time.time() + 5
        while b"blocked_clients:1" not in p.call(b"INFO", b"clients") and time.time() < deadline:
            time.sleep(0.01)
        assert p.call(b"RPUSH", b"q", b"x") == 1
        assert c.read_raw() == b"*2\r\n$1\r\nq\r\n$1\r\nx\r\n"
        assert c.read_raw() == b"+PONG\r\n"


def test_killed_blocked_client_loses_no_element(server):
    victim = server.client()
    admin = server.client(decode_responses=True)
    victim_id = victim.client_id()
    errors = []

    def wait():
        try:
            victim.blpop("q", timeout=10)
        except redis.ConnectionError as e:
            errors.append(e)

    t = threading.Thread(target=wait)
    t.start()
    deadline = time.time() + 5
    while admin.info("clients")["blocked_clients"] != 1 and time.time() < deadline:
        time.sleep(0.01)
    assert admin.client_kill_filter(_id=victim_id) == 1
    t.join(5)
    assert admin.info("clients")["blocked_clients"] == 0
    assert admin.rpush("q", "kept") == 1
    assert admin.lrange("q", 0, -1) == ["kept"]


def test_producer_consumer_work_queue(server):
    """Producers LPUSH jobs, consumers BRPOP with a timeout: every job is consumed once."""
    producers, consumers, per_producer = 4, 3, 300
    consumed = []
    lock = threading.Lock()
    done_producing = threading.Event()

    def produce(n):
        c = server.client(decode_responses=True)
        for i in range(per_producer):
            c.lpush(f"queue:{i % 2}", f"job-{n}-{i}")

    def consume():
        c = server.client(decode_responses=True)
        while True:
            item = c.brpop(["queue:0", "queue:1"], timeout=0.2)
            if item is None:
                if done_producing.is_set():
                    return
                continue
            with lock:
                consumed.append(item[1])

    cs = [threading.Thread(target=consume) for _ in range(consumers)]
    ps = [threading.Thread(target=produce, args=(n,)) for n in range(producers)]
    for t in cs + ps:
        t.start()
    for t in ps:
        t.join(30)
    done_producing.set()
    for t in cs:
        t.join(30)
    expected = {f"job-{n}-{i}" for n in range(producers) for i in range(per_producer)}
    assert len(consumed) == len(expected)
    assert set(consumed) == expected
    admin = server.client(decode_responses=True)
    assert admin.exists("queue:0", "queue:1") == 0
    assert admin.info("clients")["blocked_clients"] == 0


@pytest.mark.parametrize("kind", ["list", "hash", "set", "zset"])
def test_type_and_encoding_reported_like_redis(r, kind):
    if kind == "list":
        r.rpush("k", "a", 1)
        expected = "quicklist"
    elif kind == "hash":
        r.hset("k", "f", "v")
        expected = "listpack"
    elif kind == "set":
        r.sadd("k", 1, 2, 3)
        expected = "intset"
    else:
        r.zadd("k", {"m": 1})
        expected = "listpack"
    assert r.type("k") == kind
    assert r.object("encoding", "k") == expected
    assert list(r.scan_iter(_type=kind)) == ["k"]
    assert list(r.scan_iter(_type="string")) == []
