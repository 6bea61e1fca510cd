"""Request/reply RPC over lists, with a per-request reply key and a correlation id.

A client makes a call by pushing a request onto the shared list `rpc:requests`:

    LPUSH rpc:requests {"id": <correlation id>, "reply_to": "rpc:reply:<id>",
                        "method": "add", "args": [2, 3]}

then waits on its own reply key with `BLPOP rpc:reply:<id> <timeout>`. A
responder takes requests with `BRPOP rpc:requests <timeout>` (several
responders can share the list; each request goes to one of them), runs the
method and answers with one MULTI/EXEC: `LPUSH <reply_to> {"id": <id>,
"result": ...}` (or `"error"`) and `EXPIRE <reply_to> 30`.

The reply key is unique to the request, so concurrent callers never see each
other's replies and a late reply can never be mistaken for the answer to a
later call; the client still checks the correlation id it gets back. If BLPOP
times out (nil reply), the call failed; the responder may still answer later,
and the EXPIRE makes that abandoned reply vanish on its own.

Run: python3 examples/rpc.py --port 6379
"""

import argparse
import json
import sys
import threading
import time
import uuid

import redis

REQUESTS = "rpc:requests"


def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


METHODS = {"add": lambda a, b: a + b, "fib": fib, "square": lambda x: x * x,
           "sleep": lambda s: time.sleep(s) or "woke up"}


def responder(r, stop):
    while not stop.is_set():
        item = r.brpop(REQUESTS, timeout=0.1)
        if item is None:
            continue
        req = json.loads(item[1])
        reply = {"id": req["id"]}
        try:
            reply["result"] = METHODS[req["method"]](*req["args"])
        except KeyError:
            reply["error"] = f"unknown method {req['method']!r}"
        with r.pipeline() as p:
            p.lpush(req["reply_to"], json.dumps(reply))
            p.expire(req["reply_to"], 30)
            p.execute()


class RpcTimeout(Exception):
    pass


def call(r, method, *args, timeout=5.0):
    corr_id = uuid.uuid4().hex
    reply_to = f"rpc:reply:{corr_id}"
    r.lpush(REQUESTS, json.dumps({"id": corr_id, "reply_to": reply_to,
                                  "method": method, "args": args}))
    item = r.blpop(reply_to, timeout=timeout)
    if item is None:
        raise RpcTimeout(f"{method}{args} got no reply in {timeout} s (id {corr_id})")
    reply = json.loads(item[1])
    assert reply["id"] == corr_id, f"reply {reply['id']} is not for request {corr_id}"
    if "error" in reply:
        raise RuntimeError(reply["error"])
    return reply["result"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=6379)
    args = ap.parse_args()

    def connect():
        return redis.Redis(host=args.host, port=args.port, decode_responses=True)

    r = connect()
    r.delete(REQUESTS, *r.scan_iter("rpc:reply:*"))
    stop = threading.Event()
    responders = [threading.Thread(target=responder, args=(connect(), stop)) for _ in range(2)]
    for t in responders:
        t.start()

    print(f"add(2, 3) = {call(r, 'add', 2, 3)}")
    print(f"fib(90) = {call(r, 'fib', 90)}")
    try:
        call(r, "nope")
    except RuntimeError as e:
        print(f"nope() raised: {e}")
    try:
        call(r, "sleep", 0.5, timeout=0.1)
    except RpcTimeout:
        print("sleep(0.5) with a 0.1 s timeout: no reply in time")
    deadline = time.monotonic() + 5  # the late reply lands in its own key, with a TTL
    while not (late := list(r.scan_iter("rpc:reply:*"))) and time.monotonic() < deadline:
        time.sleep(0.02)
    late_ok = len(late) == 1 and r.ttl(late[0]) > 0
    print(f"its late reply sits in its own key, expiring: {late_ok}")

    # Concurrent callers, each with its own connection, share the two responders.
    answers = {}

    def caller(x):
        with connect() as own:
            answers[x] = call(own, "square", x)

    callers = [threading.Thread(target=caller, args=(x,)) for x in range(1, 9)]
    for t in callers:
        t.start()
    for t in callers:
        t.join()
    print(f"8 concurrent square(x) calls: {[answers.get(x) for x in range(1, 9)]}")

    stop.set()
    for t in responders:
        t.join()
    ok = late_ok and all(answers.get(x) == x * x for x in range(1, 9)) and not r.llen(REQUESTS)
    print("OK: every call got its own reply" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
