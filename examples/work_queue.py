"""A reliable work queue: jobs are acknowledged, and a crashed worker's job is recovered.

A producer LPUSHes jobs onto `wq:queue`. A worker takes the oldest job with
`BLMOVE wq:queue wq:processing:<worker> RIGHT LEFT <timeout>`, which moves it
atomically into the worker's own processing list: a job is always in exactly
one list, so it cannot vanish between being taken and being worked on. When
the work succeeds the worker acknowledges it, recording the result and
removing the job with `LREM wq:processing:<worker> 1 <job>`.

Each worker also keeps a heartbeat key, `SET wq:alive:<worker> 1 PX 1000`,
refreshed every 100 ms. A reaper looks at every registered worker (`SMEMBERS
wq:workers`); when a heartbeat has expired, the worker is gone, and the
reaper moves its unfinished jobs back to the queue one by one with `LMOVE
wq:processing:<worker> wq:queue RIGHT RIGHT` (back to the head, as they are
the oldest), then forgets the worker. Nothing is lost.

Nothing is done twice either: the acknowledgement is a transaction, `WATCH
wq:processing:<worker>`, a check with `LPOS` that the job is still ours, then
`MULTI` / `HSET wq:results <job> <result>` / `HINCRBY wq:acks <job> 1` /
`LREM ...` / `EXEC`. If the
reaper took the job back in between (a worker that was only slow, not dead),
EXEC fails and the result is dropped; the new owner records it instead.

The demo starts a worker that takes a job and is then killed with SIGKILL,
then three healthy workers, and checks that every job has a result and was
acknowledged exactly once (every count in `wq:acks` is 1).

Run: python3 examples/work_queue.py --port 6379
"""

import argparse
import multiprocessing
import os
import signal
import sys
import threading
import time

import redis

QUEUE, RESULTS, ACKS, WORKERS = "wq:queue", "wq:results", "wq:acks", "wq:workers"
JOBS = 20


def processing(worker):
    return f"wq:processing:{worker}"


def heartbeat(r, worker, stop):
    while not stop.is_set():
        r.set(f"wq:alive:{worker}", 1, px=1000)
        stop.wait(0.1)


def ack(r, worker, job, result):
    """Records the result and removes the job, only if the job is still ours."""
    with r.pipeline() as p:
        try:
            p.watch(processing(worker))
            if p.lpos(processing(worker), job) is None:
                return False  # reaped while we worked: the new owner will record it
            p.multi()
            p.hset(RESULTS, job, result)
            p.hincrby(ACKS, job, 1)
            p.lrem(processing(worker), 1, job)
            p.execute()
            return True
        except redis.WatchError:
            return False


def worker(host, port, name, crash=False):
    r = redis.Redis(host=host, port=port, decode_responses=True)
    r.set(f"wq:alive:{name}", 1, px=1000)  # alive before registered: never reaped early
    r.sadd(WORKERS, name)
    stop = threading.Event()
    threading.Thread(target=heartbeat, args=(r, name, stop), daemon=True).start()
    while not r.exists("wq:stop"):
        job = r.blmove(QUEUE, processing(name), 0.2, "RIGHT", "LEFT")
        if job is None:
            continue
        if crash:
            time.sleep(3600)  # "working" until the demo kills us
        time.sleep(0.01)  # the work itself
        ack(r, name, job, f"{job} done by {name}")
    stop.set()


def reap(r):
    """Returns every job of a dead worker to the queue; returns the jobs moved."""
    moved = []
    for name in r.smembers(WORKERS):
        if r.exists(f"wq:alive:{name}"):
            continue
        while (job := r.lmove(processing(name), QUEUE, "RIGHT", "RIGHT")) is not None:
            moved.append((name, job))
        r.srem(WORKERS, name)
    return moved


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=6379)
    args = ap.parse_args()
    r = redis.Redis(host=args.host, port=args.port, decode_responses=True)
    r.delete(QUEUE, RESULTS, ACKS, WORKERS, "wq:stop", *r.scan_iter("wq:processing:*"),
             *r.scan_iter("wq:alive:*"))
    ctx = multiprocessing.get_context("fork")
    deadline = time.monotonic() + 20

    r.lpush(QUEUE, *[f"job:{i}" for i in range(1, JOBS + 1)])
    print(f"produced {r.llen(QUEUE)} jobs")

    # daemon: should the demo fail, its workers do not outlive it
    doomed = ctx.Process(target=worker, args=(args.host, args.port, "doomed", True), daemon=True)
    doomed.start()
    while r.llen(processing("doomed")) == 0:
        assert time.monotonic() < deadline, "the doomed worker never took a job"
        time.sleep(0.01)
    taken = r.lindex(processing("doomed"), 0)
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.join()
    print(f"worker 'doomed' took {taken} and was killed")

    workers = [ctx.Process(target=worker, args=(args.host, args.port, f"w{i}"), name=f"w{i}",
                           daemon=True) for i in range(1, 4)]
    for w in workers:
        w.start()
    while r.hlen(RESULTS) < JOBS:
        assert time.monotonic() < deadline, f"only {r.hlen(RESULTS)} results"
        for name, job in reap(r):
            print(f"reaper returned {job} of dead worker '{name}' to the queue")
        time.sleep(0.05)
    r.set("wq:stop", 1)
    for w in workers:
        w.join(10)
        assert w.exitcode == 0, f"worker exit code {w.exitcode}"

    results, acks = r.hgetall(RESULTS), r.hgetall(ACKS)
    left = r.llen(QUEUE) + sum(r.llen(k) for k in r.scan_iter("wq:processing:*"))
    once = sum(1 for n in acks.values() if n == "1")
    lost = sum(1 for i in range(1, JOBS + 1) if f"job:{i}" not in results)
    print(f"results: {len(results)} of {JOBS}; lost: {lost}; still queued: {left}")
    print(f"acknowledged exactly once: {once} of {len(acks)}")
    print(f"{taken} was finished by healthy worker {results[taken].split(' by ')[1]}")
    by = [value.split(" by ")[1] for value in results.values()]
    print("done per worker: " + ", ".join(f"{w.name}={by.count(w.name)}" for w in workers))
    ok = not lost and left == 0 and len(results) == JOBS and once == len(acks) == JOBS
    print("OK: nothing lost, nothing done twice" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
