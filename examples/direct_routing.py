"""Direct routing: the channel name is the routing key.

The publisher routes each log line by its severity, sending `PUBLISH
logs.<severity> <line>`. A consumer subscribes to exactly the channels it
wants, `SUBSCRIBE logs.error` or `SUBSCRIBE logs.info logs.warning
logs.error`, and receives only messages published on those names: matching
is by the whole channel name, nothing more. A message on a channel nobody
listens to is dropped, and PUBLISH says so by replying 0 receivers.

As in fanout.py, the publisher waits for the subscriptions (`PUBSUB NUMSUB
<channel>...`) before publishing, and each consumer also subscribes to
`demo.stop` and stops on the message published there last. Pattern matching
on channel names is topic_routing.py.

Run: python3 examples/direct_routing.py --port 6379
"""

import argparse
import sys
import threading
import time

import redis

CONSUMERS = {
    "error-archiver": ["logs.error"],
    "console": ["logs.info", "logs.warning", "logs.error"],
}
STOP = "demo.stop"  # every consumer also listens here, to know when the demo is over
LOGS = [
    ("info", "service started"),
    ("warning", "disk 80% full"),
    ("error", "payment failed"),
    ("debug", "cache miss"),  # nobody subscribes to logs.debug
    ("error", "timeout talking to db"),
]


def consumer(r, channels, received):
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe(*channels, STOP)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        m = p.get_message(timeout=0.5)
        if m is None:
            continue
        if m["channel"] == STOP:
            break
        received.append(f"{m['channel']}: {m['data']}")
    p.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=6379)
    args = ap.parse_args()

    def connect():
        return redis.Redis(host=args.host, port=args.port, decode_responses=True)

    inbox = {name: [] for name in CONSUMERS}
    threads = [threading.Thread(target=consumer, args=(connect(), channels, inbox[name]))
               for name, channels in CONSUMERS.items()]
    for t in threads:
        t.start()

    r = connect()
    expected = {STOP: len(CONSUMERS)}  # channel -> how many consumers subscribe to it
    for channels in CONSUMERS.values():
        for channel in channels:
            expected[channel] = expected.get(channel, 0) + 1
    deadline = time.monotonic() + 10
    while dict(r.pubsub_numsub(*expected)) != expected:
        if time.monotonic() > deadline:
            print("FAILED: subscriptions did not show up")
            return 1
        time.sleep(0.01)

    for severity, line in LOGS:
        receivers = r.publish(f"logs.{severity}", line)
        print(f"PUBLISH logs.{severity} {line!r} -> {receivers} receivers")
    r.publish(STOP, "")
    for t in threads:
        t.join()

    for name in CONSUMERS:
        print(f"{name} got: {inbox[name]}")
    want = {
        name: [f"logs.{s}: {line}" for s, line in LOGS if f"logs.{s}" in CONSUMERS[name]]
        for name in CONSUMERS
    }
    ok = inbox == want
    print("OK: each consumer got exactly its channels" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
