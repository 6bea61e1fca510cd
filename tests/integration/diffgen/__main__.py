"""Command line for reproducing a differential run by hand.

    cd tests/integration
    /usr/bin/python3 -m diffgen --seed 7 --count 2000 --dump      # print the commands
    /usr/bin/python3 -m diffgen --seed 7 --count 2000             # run baozi vs redis
    BAOZI_SERVER=/usr/bin/redis-server /usr/bin/python3 -m diffgen --seed 7

`--dump` prints one command per line in redis-cli's quoting, so a prefix can be
pasted into `redis-cli -p PORT` to replay it.
"""

import argparse
import sys
import tempfile
from pathlib import Path

from serverproc import Server, baozi_binary, oracle_binary

from . import FAMILIES, generate, load_families
from .harness import Mismatch, Runner, subscribe_events


def cli_quote(arg: bytes) -> str:
    out = []
    for ch in arg:
        c = chr(ch)
        if c in "\"\\":
            out.append("\\" + c)
        elif 32 < ch < 127:
            out.append(c)
        else:
            out.append(f"\\x{ch:02x}")
    return '"' + "".join(out) + '"'


def main() -> int:
    load_families()
    ap = argparse.ArgumentParser(prog="python3 -m diffgen")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--families", default=",".join(sorted(FAMILIES)))
    ap.add_argument("--resp3", action="store_true", help="send HELLO 3 first")
    ap.add_argument("--events", action="store_true",
                    help="also compare keyspace notifications")
    ap.add_argument("--event-classes", default="KEA",
                    help="notify-keyspace-events for --events (default KEA)")
    ap.add_argument("--self-events", action="store_true",
                    help="RESP3: the command connection subscribes to its own keyspace events "
                         "and each reply is compared with the pushes around it (not with the "
                         "multi family: a queued PING cannot mark the end of a reply; zset pops "
                         "differ by design, see README)")
    ap.add_argument("--dump", action="store_true", help="print the commands and exit")
    opts = ap.parse_args()

    cmds = generate(opts.seed, opts.count, opts.families.split(","))
    if opts.dump:
        for i, c in enumerate(cmds):
            args, note = c.args, ""
            if c.kind == "scan":
                args = [args[0], b"0", *args[1:]]
                note = "   # repeated until the cursor is 0; compared as a key set"
            print(f"{i}: " + " ".join(cli_quote(a) for a in args) + note)
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        a = Server(baozi_binary(), Path(tmp) / "a", name="baozi").start()
        b = Server(oracle_binary(), Path(tmp) / "b", name="redis").start()
        try:
            ca, cb = a.raw(timeout=5), b.raw(timeout=5)
            if opts.resp3:
                ca.call_raw("HELLO", "3")
                cb.call_raw("HELLO", "3")
            events = subscribe_events(a, b, classes=opts.event_classes) if opts.events else None
            if opts.self_events:
                for c in (ca, cb):
                    c.call_raw("HELLO", "3")
                    c.call_raw("CONFIG", "SET", "notify-keyspace-events", opts.event_classes)
                    c.call_raw("PSUBSCRIBE", "__key*__:*")
            Runner(ca, cb, label=f"seed {opts.seed}", events=events,
                   self_events=opts.self_events).run(cmds)
        except Mismatch as e:
            print(e, file=sys.stderr)
            return 1
        finally:
            a.stop()
            b.stop()
    print(f"seed {opts.seed}: {len(cmds)} commands, all replies identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
