"""The messaging-pattern examples in examples/, run as a newcomer would run them.

Each example is started unchanged as `python3 examples/<name>.py --port N`
against a fresh server; the test checks its exit status, that it wrote
nothing to stderr, the lines it printed, and what it left in the server.
Every example checks its own outcome too and ends with "OK: ..." or
"FAILED"; the assertions here repeat the important facts so a broken example
cannot pass by printing OK. The work queue's acknowledgement is also tested
directly for the case the demo cannot show: a worker that was only slow,
whose job the reaper took back before (or while) it acknowledged.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys

from polling import wait_until
from serverproc import REPO

EXAMPLES = REPO / "examples"
NAMES = ["work_queue", "fair_dispatch", "fanout", "direct_routing", "topic_routing", "rpc"]


def run_example(server, name, timeout=60):
    p = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py"), "--port", str(server.port)],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=timeout, cwd=REPO)
    assert p.returncode == 0, f"{name} exited {p.returncode}\n{p.stdout}\n{p.stderr}"
    assert p.stderr == ""
    lines = p.stdout.splitlines()
    assert lines[-1].startswith("OK: "), p.stdout
    return lines


def load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_work_queue_recovers_a_killed_workers_job(server, r):
    lines = run_example(server, "work_queue")
    assert lines[:3] == [
        "produced 20 jobs",
        "worker 'doomed' took job:1 and was killed",
        "reaper returned job:1 of dead worker 'doomed' to the queue",
    ]
    assert "results: 20 of 20; lost: 0; still queued: 0" in lines
    assert "acknowledged exactly once: 20 of 20" in lines
    assert re.fullmatch(r"job:1 was finished by healthy worker w[123]", lines[-3])
    counts = re.fullmatch(r"done per worker: w1=(\d+), w2=(\d+), w3=(\d+)", lines[-2])
    assert counts and sum(map(int, counts.groups())) == 20
    # The server agrees: one result per job, every ack counted once, no job left anywhere.
    results = r.hgetall("wq:results")
    assert sorted(results) == sorted(f"job:{i}" for i in range(1, 21))
    assert all(v.startswith(f"{k} done by w") for k, v in results.items())
    assert set(r.hvals("wq:acks")) == {"1"} and r.hlen("wq:acks") == 20
    assert r.exists("wq:queue") == 0 and list(r.scan_iter("wq:processing:*")) == []
    assert r.smembers("wq:workers") == {"w1", "w2", "w3"}


def test_work_queue_slow_worker_ack_is_refused_after_reaping(server, r):
    wq = load("work_queue")
    r.lpush(wq.QUEUE, "job:a", "job:b")
    # "slow" registered but without a heartbeat: the reaper counts it as dead.
    r.sadd(wq.WORKERS, "slow")
    assert r.blmove(wq.QUEUE, wq.processing("slow"), 1, "RIGHT", "LEFT") == "job:a"
    assert wq.reap(r) == [("slow", "job:a")]
    assert r.lrange(wq.QUEUE, 0, -1) == ["job:b", "job:a"]  # back at the head (right end)
    assert wq.ack(r, "slow", "job:a", "late") is False
    assert r.exists(wq.RESULTS, wq.ACKS) == 0

    # Reaped between the ownership check and EXEC: WATCH makes the EXEC fail.
    r.sadd(wq.WORKERS, "slow2")
    assert r.blmove(wq.QUEUE, wq.processing("slow2"), 1, "RIGHT", "LEFT") == "job:a"
    reaper = server.client(decode_responses=True)

    class ReapedMidAck:
        def pipeline(self):
            p = r.pipeline()
            lpos = p.lpos

            def lpos_then_reap(*args):
                found = lpos(*args)
                assert wq.reap(reaper) == [("slow2", "job:a")]
                return found

            p.lpos = lpos_then_reap
            return p

    assert wq.ack(ReapedMidAck(), "slow2", "job:a", "late") is False
    assert r.exists(wq.RESULTS, wq.ACKS) == 0

    # The new owner's ack goes through, once.
    r.set("wq:alive:w", 1)
    r.sadd(wq.WORKERS, "w")
    assert r.blmove(wq.QUEUE, wq.processing("w"), 1, "RIGHT", "LEFT") == "job:a"
    assert wq.reap(r) == []
    assert wq.ack(r, "w", "job:a", "job:a done by w") is True
    assert r.hgetall(wq.RESULTS) == {"job:a": "job:a done by w"}
    assert r.hgetall(wq.ACKS) == {"job:a": "1"}
    assert r.exists(wq.processing("w")) == 0 and r.lrange(wq.QUEUE, 0, -1) == ["job:b"]


def test_fair_dispatch_fast_worker_does_more(server, r):
    lines = run_example(server, "fair_dispatch")
    fast = re.fullmatch(r"fast worker \(5 ms per job\) did (\d+) jobs", lines[0])
    slow = re.fullmatch(r"slow worker \(50 ms per job\) did (\d+) jobs", lines[1])
    assert fast and slow
    fast, slow = int(fast[1]), int(slow[1])
    assert fast + slow == 40 and fast > slow
    assert re.fullmatch(r"all 40 of 40 jobs done in \d+\.\d\d s", lines[2])
    done = r.hgetall("fair:done")
    assert len(done) == 40 and list(done.values()).count("fast") == fast
    assert r.exists("fair:queue", "fair:processing:fast", "fair:processing:slow") == 0


def test_fanout_every_subscriber_gets_every_message(server, r):
    lines = run_example(server, "fanout")
    messages = ["hello", "weather: sunny", "sports: 2-1", "bye"]
    assert lines[:4] == [f"PUBLISH news {m!r} -> 3 receivers" for m in messages]
    assert lines[4:7] == [f"{name} got: {messages}" for name in ("alice", "bob", "carol")]
    # The subscribers' connections closed when the example exited.
    wait_until(lambda: r.pubsub_numsub("news") == [("news", 0)], "subscribers gone")


def test_direct_routing_by_channel_name(server):
    lines = run_example(server, "direct_routing")
    assert lines[:5] == [
        "PUBLISH logs.info 'service started' -> 1 receivers",
        "PUBLISH logs.warning 'disk 80% full' -> 1 receivers",
        "PUBLISH logs.error 'payment failed' -> 2 receivers",
        "PUBLISH logs.debug 'cache miss' -> 0 receivers",
        "PUBLISH logs.error 'timeout talking to db' -> 2 receivers",
    ]
    assert lines[5] == ("error-archiver got: ['logs.error: payment failed', "
                        "'logs.error: timeout talking to db']")
    assert lines[6] == ("console got: ['logs.info: service started', "
                        "'logs.warning: disk 80% full', 'logs.error: payment failed', "
                        "'logs.error: timeout talking to db']")


def test_topic_routing_with_patterns(server, r):
    lines = run_example(server, "topic_routing")
    assert lines[:7] == [
        "PUBSUB NUMPAT -> 3 distinct patterns",
        "PUBLISH logs.kernel.error 'oom killer invoked' -> 5 deliveries",
        "PUBLISH logs.kernel.info 'usb device attached' -> 3 deliveries",
        "PUBLISH logs.auth.error 'bad password for bob' -> 3 deliveries",
        "PUBLISH logs.auth.info 'alice logged in' -> 1 deliveries",
        "PUBLISH logs.db.replica.error 'replica lagging' -> 3 deliveries",
        "PUBLISH metrics.cpu '97%' -> 0 deliveries",
    ]
    out = "\n".join(lines[7:-1]) + "\n"
    blocks = dict(re.findall(r"^(\S+) \[.*\] got:\n((?:    .*\n)*)", out, re.M))
    got = {name: block.strip().split("\n    ") for name, block in blocks.items()}
    assert got["error-alerts"] == [
        "logs.kernel.error (via logs.*.error): oom killer invoked",
        "logs.auth.error (via logs.*.error): bad password for bob",
        "logs.db.replica.error (via logs.*.error): replica lagging",
    ]
    assert got["kernel-watch"] == [
        "logs.kernel.error (via logs.kernel.*): oom killer invoked",
        "logs.kernel.info (via logs.kernel.*): usb device attached",
    ]
    assert got["everything"] == [
        f"{ch} (via logs.*): {m}" for ch, m in [
            ("logs.kernel.error", "oom killer invoked"),
            ("logs.kernel.info", "usb device attached"),
            ("logs.auth.error", "bad password for bob"),
            ("logs.auth.info", "alice logged in"),
            ("logs.db.replica.error", "replica lagging")]
    ]
    # One delivery per matching pattern; the two for logs.kernel.error in either order.
    assert sorted(got["ops"][:2]) == [
        "logs.kernel.error (via logs.*.error): oom killer invoked",
        "logs.kernel.error (via logs.kernel.*): oom killer invoked",
    ]
    assert got["ops"][2:] == [
        "logs.kernel.info (via logs.kernel.*): usb device attached",
        "logs.auth.error (via logs.*.error): bad password for bob",
        "logs.db.replica.error (via logs.*.error): replica lagging",
    ]
    wait_until(lambda: r.pubsub_numpat() == 0, "patterns gone")


def test_rpc_request_reply(server, r):
    lines = run_example(server, "rpc")
    assert lines == [
        "add(2, 3) = 5",
        "fib(90) = 2880067194370816120",
        "nope() raised: unknown method 'nope'",
        "sleep(0.5) with a 0.1 s timeout: no reply in time",
        "its late reply sits in its own key, expiring: True",
        "8 concurrent square(x) calls: [1, 4, 9, 16, 25, 36, 49, 64]",
        "OK: every call got its own reply",
    ]
    # Only the abandoned reply is left, and it expires by itself.
    left = list(r.scan_iter("rpc:*"))
    assert len(left) == 1 and left[0].startswith("rpc:reply:") and 0 < r.ttl(left[0]) <= 30
    assert r.exists("rpc:requests") == 0


def test_examples_clear_leftovers_of_an_earlier_run(server, r):
    # What an interrupted earlier run leaves behind: the examples clear it when they start.
    r.lpush("wq:queue", "job:99")
    r.lpush("wq:processing:ghost", "job:98")
    r.sadd("wq:workers", "ghost")
    r.set("wq:stop", 1)
    r.hset("wq:results", "job:1", "stale")
    r.hset("wq:acks", "job:1", 1)
    r.lpush("rpc:requests", '{"id": "x", "reply_to": "rpc:reply:x", "method": "nope", "args": []}')
    r.lpush("rpc:reply:old", "stale")
    run_example(server, "work_queue")
    assert r.hlen("wq:results") == 20 and set(r.hvals("wq:acks")) == {"1"}
    assert "job:99" not in r.hgetall("wq:results") and r.exists("wq:processing:ghost") == 0
    run_example(server, "rpc")
    assert r.exists("rpc:reply:old", "rpc:reply:x") == 0


def test_examples_are_documented_and_listed():
    readme = (EXAMPLES / "README.md").read_text()
    files = sorted(p.stem for p in EXAMPLES.glob("*.py"))
    assert files == sorted(NAMES)
    for name in files:
        source = (EXAMPLES / f"{name}.py").read_text()
        doc = ast.get_docstring(ast.parse(source))
        assert doc and len(doc.splitlines()) >= 10, f"{name}.py needs a docstring"
        assert f"python3 examples/{name}.py --port" in doc
        assert re.search(r"`[A-Z]{4,}", doc), f"{name}.py: docstring names no command"
        assert len(source.splitlines()) <= 160, f"{name}.py is too long"
        assert f"[{name}.py]({name}.py)" in readme
