"""Topic routing: consumers pick messages by a pattern over the channel name.

Channels are named like topics, `logs.<source>.<severity>`. A consumer sends
`PSUBSCRIBE logs.*.error` and gets every message published on a channel that
matches the glob-style pattern: `*` is any run of characters, `?` one
character, `[ak]` a set. The message arrives as a `pmessage` carrying the
pattern that matched, the real channel and the data. Plain `SUBSCRIBE` and
`PSUBSCRIBE` can be mixed on one connection.

Two things differ from AMQP topic exchanges: `*` also matches dots, so
`logs.*.error` matches `logs.db.replica.error`; and a connection whose
patterns overlap gets a message once per matching pattern (the `ops`
consumer below gets `logs.kernel.error` twice). PUBLISH replies with the
number of deliveries, so that message counts 5.

`PUBSUB NUMPAT` counts the distinct patterns in use. Each consumer sends its
PSUBSCRIBE before `SUBSCRIBE demo.stop` on the same connection, so once
`PUBSUB NUMSUB demo.stop` shows every consumer, all patterns are in place.

Run: python3 examples/topic_routing.py --port 6379
"""

import argparse
import fnmatch
import sys
import threading
import time

import redis

CONSUMERS = {
    "error-alerts": ["logs.*.error"],
    "kernel-watch": ["logs.kernel.*"],
    "everything": ["logs.*"],
    "ops": ["logs.*.error", "logs.kernel.*"],
}
STOP = "demo.stop"
LOGS = [
    ("logs.kernel.error", "oom killer invoked"),
    ("logs.kernel.info", "usb device attached"),
    ("logs.auth.error", "bad password for bob"),
    ("logs.auth.info", "alice logged in"),
    ("logs.db.replica.error", "replica lagging"),
    ("metrics.cpu", "97%"),  # matches no pattern: dropped
]


def consumer(r, patterns, received):
    p = r.pubsub(ignore_subscribe_messages=True)
    p.psubscribe(*patterns)
    p.subscribe(STOP)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        m = p.get_message(timeout=0.5)
        if m is None:
            continue
        if m["channel"] == STOP:
            break
        received.append(f"{m['channel']} (via {m['pattern']}): {m['data']}")
    p.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=6379)
    args = ap.parse_args()

    def connect():
        return redis.Redis(host=args.host, port=args.port, decode_responses=True)

    inbox = {name: [] for name in CONSUMERS}
    threads = [threading.Thread(target=consumer, args=(connect(), patterns, inbox[name]))
               for name, patterns in CONSUMERS.items()]
    for t in threads:
        t.start()

    r = connect()
    deadline = time.monotonic() + 10
    while r.pubsub_numsub(STOP)[0][1] < len(CONSUMERS):
        if time.monotonic() > deadline:
            print("FAILED: subscriptions did not show up")
            return 1
        time.sleep(0.01)
    print(f"PUBSUB NUMPAT -> {r.pubsub_numpat()} distinct patterns")

    for channel, line in LOGS:
        print(f"PUBLISH {channel} {line!r} -> {r.publish(channel, line)} deliveries")
    r.publish(STOP, "")
    for t in threads:
        t.join()

    for name, patterns in CONSUMERS.items():
        print(f"{name} {patterns} got:")
        for line in inbox[name]:
            print(f"    {line}")
    # What the patterns should select; fnmatch agrees with Redis's glob on these patterns.
    # Messages arrive in publishing order; the deliveries of one message to overlapping
    # patterns come in no particular order, hence the sorted() comparison as well.
    want = {
        name: [f"{ch} (via {pat}): {line}" for ch, line in LOGS for pat in patterns
               if fnmatch.fnmatchcase(ch, pat)]
        for name, patterns in CONSUMERS.items()
    }
    ok = all(sorted(inbox[n]) == sorted(want[n]) and
             [x.split()[0] for x in inbox[n]] == [x.split()[0] for x in want[n]]
             for n in CONSUMERS)
    print("OK: each consumer got what its patterns select" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
