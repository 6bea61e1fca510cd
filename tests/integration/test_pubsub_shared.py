"""Large pub/sub messages are queued by reference (server/pubsub.h): each
receiver writes the same bytes from its own position, with partial writes,
interleaved with its own replies. These tests check the bytes on the wire."""

import socket
import threading
import time

import rawresp
from polling import read_exactly

MB = 1024 * 1024


def frame(kind: bytes, channel: bytes, payload: bytes) -> bytes:
    return (kind + b"3\r\n$7\r\nmessage\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
            % (len(channel), channel, len(payload), payload))


def test_slow_subscribers_receive_every_large_message_intact(server):
    payloads = [bytes([65 + i]) * (200_000 + i) for i in range(12)]  # ~2.4 MB in total
    subs = []
    for resp3 in (False, True, False, True):
        s = socket.create_connection(("127.0.0.1", server.port), timeout=20)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)  # force partial writes
        if resp3:
            s.sendall(rawresp.encode(b"HELLO", b"3"))
        s.sendall(rawresp.encode(b"SUBSCRIBE", b"big"))
        subs.append((s, resp3))
    with server.raw(timeout=20) as pub:
        deadline = time.monotonic() + 10
        while pub.call(b"PUBSUB", b"NUMSUB", b"big")[1] < 4:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        for p in payloads:
            assert pub.call(b"PUBLISH", b"big", p) == 4
    for s, resp3 in subs:
        if resp3:
            # HELLO's map, then the confirmation: skip them by reading up to the first message.
            buf = b""
            while b"$7\r\nmessage" not in buf:
                buf += s.recv(1)
            start = buf.rindex(b">3\r\n$7\r\nmessage")
            rest = buf[start:]
        else:
            confirm = b"*3\r\n$9\r\nsubscribe\r\n$3\r\nbig\r\n:1\r\n"
            assert read_exactly(s, len(confirm)) == confirm
            rest = b""
        want = b"".join(frame(b">" if resp3 else b"*", b"big", p) for p in payloads)
        got = rest + read_exactly(s, len(want) - len(rest))
        assert got == want
        s.close()


def test_large_pushes_interleave_with_a_resp3_clients_own_replies(server):
    """A RESP3 subscriber keeps running commands while big messages arrive:
    every reply and every push must come out whole and in order."""
    c = server.raw(timeout=20)
    c.call(b"HELLO", b"3")
    c.call(b"SET", b"k", b"v" * 50_000)
    c.send(rawresp.encode(b"SUBSCRIBE", b"mix"))
    assert c.read()[0] == b"subscribe"
    payload = b"p" * 100_000
    stop = threading.Event()

    def publisher():
        with server.raw(timeout=20) as pub:
            for _ in range(40):
                pub.call(b"PUBLISH", b"mix", payload)
        stop.set()

    t = threading.Thread(target=publisher)
    t.start()
    pushes = replies = 0
    while not stop.is_set() or replies < 200:
        c.send(rawresp.encode(b"GET", b"k"))
        while True:
            v = c.read()
            if isinstance(v, rawresp.Push):
                assert list(v) == [b"message", b"mix", payload]
                pushes += 1
                continue
            assert v == b"v" * 50_000
            replies += 1
            break
    t.join()
    c.send(rawresp.encode(b"PING", b"end"))
    while True:
        v = c.read()
        if isinstance(v, rawresp.Push):
            pushes += 1
            continue
        assert v == b"end"
        break
    assert pushes == 40
    c.close()
