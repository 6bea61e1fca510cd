"""Fanout broadcast: every subscriber of a channel gets every message.

Subscribers send `SUBSCRIBE news`; their connection then only listens (and
may SUBSCRIBE/UNSUBSCRIBE more). A publisher sends `PUBLISH news <message>`
and the server pushes the message to every connection subscribed to `news`,
in the order it was published. PUBLISH replies with how many subscribers
received it.

Pub/sub is fire-and-forget: a message goes only to those subscribed at the
moment it is published, and is not stored. So the publisher here first waits
until `PUBSUB NUMSUB news` reports all three subscribers, and ends the stream
with a `STOP` message so each subscriber knows when it has everything. (When
every message must survive a subscriber being away, use a list per consumer
instead, as in work_queue.py.)

Run: python3 examples/fanout.py --port 6379
"""

import argparse
import sys
import threading
import time

import redis

CHANNEL = "news"
SUBSCRIBERS = ["alice", "bob", "carol"]
MESSAGES = ["hello", "weather: sunny", "sports: 2-1", "bye"]


def subscriber(r, received):
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe(CHANNEL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        m = p.get_message(timeout=0.5)
        if m is None:
            continue
        if m["data"] == "STOP":
            break
        received.append(m["data"])
    p.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=6379)
    args = ap.parse_args()

    def connect():
        return redis.Redis(host=args.host, port=args.port, decode_responses=True)

    inbox = {name: [] for name in SUBSCRIBERS}
    threads = [threading.Thread(target=subscriber, args=(connect(), inbox[name]))
               for name in SUBSCRIBERS]
    for t in threads:
        t.start()

    r = connect()
    deadline = time.monotonic() + 10
    while r.pubsub_numsub(CHANNEL)[0][1] < len(SUBSCRIBERS):
        if time.monotonic() > deadline:
            print("FAILED: subscribers did not show up")
            return 1
        time.sleep(0.01)

    for message in MESSAGES:
        receivers = r.publish(CHANNEL, message)
        print(f"PUBLISH {CHANNEL} {message!r} -> {receivers} receivers")
    r.publish(CHANNEL, "STOP")
    for t in threads:
        t.join()

    for name in SUBSCRIBERS:
        print(f"{name} got: {inbox[name]}")
    ok = all(inbox[name] == MESSAGES for name in SUBSCRIBERS)
    print("OK: every subscriber got every message, in order" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
