"""redis-py pipelines (without MULTI) and scan_iter over a large keyspace."""

import threading

import redis

import rawresp


def test_pipeline_1000_commands(r):
    with r.pipeline(transaction=False) as p:
        for i in range(1000):
            p.set(f"k{i}", i)
        assert p.execute() == [True] * 1000
    with r.pipeline(transaction=False) as p:
        for i in range(1000):
            if i % 3 == 0:
                p.get(f"k{i}")
            elif i % 3 == 1:
                p.incr(f"k{i}")
            else:
                p.exists(f"k{i}", f"missing{i}")
        got = p.execute()
    for i, v in enumerate(got):
        if i % 3 == 0:
            assert v == str(i)
        elif i % 3 == 1:
            assert v == i + 1
        else:
            assert v == 1
    assert r.dbsize() == 1000


def test_pipeline_errors_in_place(r):
    r.set("s", "notanumber")
    with r.pipeline(transaction=False) as p:
        p.set("a", "1")
        p.incr("s")
        p.get("a")
        got = p.execute(raise_on_error=False)
    assert got[0] is True
    assert isinstance(got[1], redis.ResponseError)
    assert str(got[1]) == "value is not an integer or out of range"
    assert got[2] == "1"


def test_pipeline_concurrent_clients(server):
    errors = []

    def worker(n):
        try:
            c = server.client(decode_responses=True)
            with c.pipeline(transaction=False) as p:
                for i in range(500):
                    p.incr("counter")
                    p.set(f"w{n}:{i}", i)
                p.execute()
        except Exception as e:  # surfaced below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    c = server.client(decode_responses=True)
    assert c.get("counter") == "4000"
    assert c.dbsize() == 1 + 8 * 500


def fill(r, n, prefix):
    with r.pipeline(transaction=False) as p:
        for i in range(n):
            p.set(f"{prefix}{i}", "v")
        p.execute()


def test_scan_iter_match_count_type(r):
    fill(r, 5000, "key:")
    fill(r, 300, "other:")
    want = {f"key:{i}" for i in range(5000)}

    for count in (1, 10, 100, 1000, 10000):
        seen = list(r.scan_iter(match="key:*", count=count))
        assert set(seen) == want, f"count={count}"

    assert set(r.scan_iter(count=500)) == want | {f"other:{i}" for i in range(300)}
    assert set(r.scan_iter(match="other:*", _type="string", count=200)) == {
        f"other:{i}" for i in range(300)
    }
    assert set(r.scan_iter(match="key:1?", count=50)) == {f"key:{i}" for i in range(10, 20)}
    assert list(r.scan_iter(_type="list", count=1000)) == []
    assert list(r.scan_iter(match="nomatch*", count=1000)) == []


def test_scan_returns_keys_present_for_whole_scan_across_growth(r, server):
    fill(r, 5000, "key:")
    want = {f"key:{i}" for i in range(5000)}
    writer = server.client(decode_responses=True)
    seen = []
    cursor = 0
    rounds = 0
    while True:
        cursor, keys = r.scan(cursor, count=100)
        seen.extend(keys)
        rounds += 1
        # Grow, then shrink, the table mid-scan: the guarantee must hold.
        if rounds == 5:
            fill(writer, 20000, "grow:")
        if rounds == 15:
            with writer.pipeline(transaction=False) as p:
                for i in range(20000):
                    p.delete(f"grow:{i}")
                p.execute()
        if cursor == 0:
            break
    assert want <= set(seen)


def test_scan_cursor_is_bulk_and_ends_at_zero(server):
    with server.raw() as c:
        for i in range(20):
            c.call("SET", f"s{i}", "v")
        cursor = b"0"
        seen = set()
        while True:
            raw = c.call_raw("SCAN", cursor, "COUNT", "3")
            assert raw.startswith(b"*2\r\n$")
            cursor, keys = rawresp.parse_one(raw)
            seen.update(keys)
            if cursor == b"0":
                break
        assert seen == {f"s{i}".encode() for i in range(20)}
        assert c.call_raw("SCAN") == b"-ERR wrong number of arguments for 'scan' command\r\n"
        assert c.call_raw("SCAN", "abc") == b"-ERR invalid cursor\r\n"
        assert c.call_raw("SCAN", "0", "COUNT", "0") == b"-ERR syntax error\r\n"
