"""Fair dispatch: a shared queue hands each job to whichever worker is free.

Producers LPUSH jobs onto one list, `fair:queue`. Every worker takes exactly
one job at a time with `BLMOVE fair:queue fair:processing:<worker> RIGHT
LEFT <timeout>`, works on it, acknowledges it with `LREM`, and only then asks
for the next. No job is assigned ahead of time and no worker prefetches a
batch, so a fast worker simply comes back for more sooner: the work splits in
proportion to speed, and the queue drains as fast as the workers together
allow. (Dealing jobs out in turn instead, to one list per worker, would give
the slow worker as many jobs as the fast one and make everyone wait for it.)

When several workers are blocked on the same empty list, Redis serves them in
the order they blocked (first come, first served), so idle workers take turns.

The demo runs a fast worker (5 ms per job) and a slow one (50 ms per job) on
the same 40 jobs and prints how many each did; the fast one does most.

Run: python3 examples/fair_dispatch.py --port 6379
"""

import argparse
import sys
import threading
import time

import redis

QUEUE, DONE = "fair:queue", "fair:done"
JOBS = 40
WORKERS = {"fast": 0.005, "slow": 0.050}  # seconds per job


def worker(r, name, seconds_per_job, stop):
    processing = f"fair:processing:{name}"
    while not stop.is_set():
        job = r.blmove(QUEUE, processing, 0.1, "RIGHT", "LEFT")
        if job is None:
            continue
        time.sleep(seconds_per_job)  # the work
        with r.pipeline() as p:  # acknowledge: MULTI/EXEC so the record and the LREM go together
            p.hset(DONE, job, name)
            p.lrem(processing, 1, job)
            p.execute()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=6379)
    args = ap.parse_args()

    def connect():
        return redis.Redis(host=args.host, port=args.port, decode_responses=True)

    r = connect()
    r.delete(QUEUE, DONE, *[f"fair:processing:{w}" for w in WORKERS])
    stop = threading.Event()
    # Each worker has its own connection: a blocked BLMOVE holds its connection.
    threads = [threading.Thread(target=worker, args=(connect(), name, secs, stop))
               for name, secs in WORKERS.items()]
    for t in threads:
        t.start()

    start = time.monotonic()
    r.lpush(QUEUE, *[f"job:{i}" for i in range(1, JOBS + 1)])
    while r.hlen(DONE) < JOBS and time.monotonic() - start < 20:
        time.sleep(0.01)
    elapsed = time.monotonic() - start
    stop.set()
    for t in threads:
        t.join()

    done = r.hgetall(DONE)
    counts = {name: sum(1 for w in done.values() if w == name) for name in WORKERS}
    for name, secs in WORKERS.items():
        print(f"{name} worker ({secs * 1000:.0f} ms per job) did {counts[name]} jobs")
    print(f"all {len(done)} of {JOBS} jobs done in {elapsed:.2f} s")
    ok = len(done) == JOBS and counts["fast"] > counts["slow"]
    print("OK: the fast worker did more" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
