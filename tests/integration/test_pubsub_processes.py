"""Pub/sub between separate processes, as applications use it.

Every publisher, subscriber, requester and responder here is its own process
(forked from the test, so it starts with redis-py imported) with its own
redis-py connections to the server under test; it sends its result back over
a pipe. The runs are deterministic: a publisher starts only once PUBSUB
NUMSUB / NUMPAT show every expected subscription, messages from one
connection arrive in order, each subscriber stops on a STOP message published
after the real ones, and every wait is bounded by a deadline.
"""

from __future__ import annotations

import json
import multiprocessing
import time
import traceback

import pytest
import redis

# fork: a child starts in milliseconds with redis-py already imported (a fresh interpreter
# needs most of a second on a loaded machine); it still talks to the server over its own
# sockets, from its own process.
CTX = multiprocessing.get_context("fork")
PROCESS_TIMEOUT_S = 30.0
WORKER_DEADLINE_S = 25.0


class _Deadline:
    def __init__(self):
        self.at = time.monotonic() + WORKER_DEADLINE_S

    def check(self, what):
        if time.monotonic() > self.at:
            raise TimeoutError(f"timed out waiting for {what}")

    def wait_for(self, pred, what):
        while not pred():
            self.check(what)
            time.sleep(0.005)


def _messages(p, deadline):
    """Yields pub/sub messages until STOP."""
    while True:
        deadline.check("STOP")
        m = p.get_message(timeout=0.5)
        if m is None:
            continue
        if m["data"] == "STOP":
            return
        yield m


def subscriber(r, deadline, channels=(), patterns=()):
    p = r.pubsub(ignore_subscribe_messages=True)
    if channels:
        p.subscribe(*channels)
    if patterns:
        p.psubscribe(*patterns)
    return [[m["pattern"], m["channel"], m["data"]] for m in _messages(p, deadline)]


def publisher(r, deadline, messages, numsub=None, numpat=None):
    """Publishes once every expected subscription is in place; returns the receiver counts."""
    for channel, n in (numsub or {}).items():
        deadline.wait_for(lambda: r.pubsub_numsub(channel)[0][1] == n,
                          f"{n} subscribers on {channel}")
    if numpat is not None:
        deadline.wait_for(lambda: r.pubsub_numpat() == numpat, f"{numpat} patterns")
    return [r.publish(channel, data) for channel, data in messages]


def responder(r, deadline, requests):
    """Answers {"id", "reply_to", "n"} requests with n * n on the reply channel."""
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe(requests)
    handled = 0
    for m in _messages(p, deadline):
        req = json.loads(m["data"])
        reply = json.dumps({"id": req["id"], "result": req["n"] ** 2})
        if r.publish(req["reply_to"], reply) != 1:
            raise AssertionError(f"nobody listens on {req['reply_to']}")
        handled += 1
    return handled


def requester(r, deadline, requests, reply_to, ns):
    """Sends each n in turn and waits for its reply on its own reply channel."""
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe(reply_to)
    deadline.wait_for(lambda: r.pubsub_numsub(reply_to)[0][1] == 1, "own reply subscription")
    deadline.wait_for(lambda: r.pubsub_numsub(requests)[0][1] == 1, "the responder")
    results = []
    for i, n in enumerate(ns):
        req_id = f"{reply_to}/{i}"
        body = json.dumps({"id": req_id, "reply_to": reply_to, "n": n})
        if r.publish(requests, body) != 1:
            raise AssertionError("the responder is gone")
        while (m := p.get_message(timeout=0.5)) is None:
            deadline.check(f"the reply to {req_id}")
        reply = json.loads(m["data"])
        if reply["id"] != req_id:
            raise AssertionError(f"reply {reply} for request {req_id}")
        results.append(reply["result"])
    return results


def _child(target, port, spec, conn):
    try:
        r = redis.Redis(port=port, decode_responses=True, socket_timeout=WORKER_DEADLINE_S)
        conn.send(("ok", target(r, _Deadline(), **spec)))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


class Worker:
    def __init__(self, server, target, **spec):
        self.name = target.__name__
        parent, child = CTX.Pipe(duplex=False)
        self.proc = CTX.Process(target=_child, args=(target, server.port, spec, child),
                                daemon=True)
        self.proc.start()
        child.close()
        self.conn = parent

    def result(self):
        if not self.conn.poll(PROCESS_TIMEOUT_S):
            pytest.fail(f"{self.name} process gave no result within {PROCESS_TIMEOUT_S}s")
        status, value = self.conn.recv()
        self.proc.join(PROCESS_TIMEOUT_S)
        assert status == "ok", f"{self.name} process failed:\n{value}"
        assert self.proc.exitcode == 0
        return value

    def kill(self):
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)


@pytest.fixture
def workers():
    started: list[Worker] = []

    def start(server, target, **spec):
        w = Worker(server, target, **spec)
        started.append(w)
        return w

    yield start
    for w in started:
        w.kill()


def test_fanout_to_every_subscriber(server, workers):
    n_subs, n_msgs = 5, 100
    subs = [workers(server, subscriber, channels=["news"]) for _ in range(n_subs)]
    messages = [["news", f"headline {i}"] for i in range(n_msgs)] + [["news", "STOP"]]
    pub = workers(server, publisher, numsub={"news": n_subs}, messages=messages)
    assert pub.result() == [n_subs] * (n_msgs + 1)
    want = [[None, "news", f"headline {i}"] for i in range(n_msgs)]
    for s in subs:
        assert s.result() == want


def test_routing_by_channel_name(server, workers):
    n = 4
    subs = [workers(server, subscriber, channels=[f"jobs.{i}"]) for i in range(n)]
    messages = [[f"jobs.{i % n}", f"job {i}"] for i in range(40)]
    messages += [["jobs.none", "lost"]]
    messages += [[f"jobs.{i}", "STOP"] for i in range(n)]
    pub = workers(server, publisher, numsub={f"jobs.{i}": 1 for i in range(n)},
                  messages=messages)
    assert pub.result() == [1] * 40 + [0] + [1] * n
    for i, s in enumerate(subs):
        assert s.result() == [[None, f"jobs.{i}", f"job {j}"] for j in range(i, 40, n)]


def test_topic_routing_by_pattern(server, workers):
    patterns = ["logs.*.error", "logs.db.*", "logs.*"]
    subs = {p: workers(server, subscriber, patterns=[p]) for p in patterns}
    exact = workers(server, subscriber, channels=["logs.db.error"])
    events = [
        "logs.web.error", "logs.web.info", "logs.db.error", "logs.db.slow",
        "metrics.db.error", "logs.auth.error", "logs.db",
    ]
    # Who should get what, written out by hand.
    routes = {
        "logs.*.error": ["logs.web.error", "logs.db.error", "logs.auth.error"],
        "logs.db.*": ["logs.db.error", "logs.db.slow"],
        "logs.*": ["logs.web.error", "logs.web.info", "logs.db.error", "logs.db.slow",
                   "logs.auth.error", "logs.db"],
    }
    messages = [[ch, f"event on {ch}"] for ch in events]
    messages += [["logs.db.error", "STOP"]]  # matches every subscriber above
    pub = workers(server, publisher, numsub={"logs.db.error": 1}, numpat=3, messages=messages)

    expected_counts = [sum(ch in chans for chans in routes.values()) + (ch == "logs.db.error")
                       for ch in events]
    assert expected_counts == [2, 1, 4, 2, 0, 2, 1]
    assert pub.result() == expected_counts + [4]
    for p, s in subs.items():
        assert s.result() == [[p, ch, f"event on {ch}"] for ch in routes[p]], p
    assert exact.result() == [[None, "logs.db.error", "event on logs.db.error"]]


def test_request_reply_over_reply_channels(server, workers):
    answering = workers(server, responder, requests="rpc.requests")
    clients = [
        workers(server, requester, requests="rpc.requests", reply_to=f"rpc.reply.{i}",
                ns=list(range(i, i + 20)))
        for i in range(3)
    ]
    for i, c in enumerate(clients):
        assert c.result() == [n * n for n in range(i, i + 20)]
    stopper = workers(server, publisher, numsub={"rpc.requests": 1},
                      messages=[["rpc.requests", "STOP"]])
    assert stopper.result() == [1]
    assert answering.result() == 60
    # Every reply channel is gone with its process.
    r = server.client(decode_responses=True)
    deadline = time.monotonic() + 5
    while r.pubsub_numsub("rpc.reply.0", "rpc.requests") != [("rpc.reply.0", 0),
                                                              ("rpc.requests", 0)]:
        assert time.monotonic() < deadline, r.pubsub_numsub("rpc.reply.0", "rpc.requests")
        time.sleep(0.005)
