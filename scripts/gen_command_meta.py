#!/usr/bin/python3
"""Generates server/command_meta_data.inc from a real redis-server.

COMMAND INFO and COMMAND DOCS must match Redis byte for byte, and their descriptive parts (ACL
categories, tips, key specs, summaries, argument trees, history) are data, not behaviour. Rather
than transcribe them by hand, this script asks the oracle: it starts a throwaway redis-server on a
free loopback port, switches the connection to RESP3 (the richer encoding: sets and maps are
distinguishable from arrays there, RESP2 flattens both), and records for every command and every
subcommand ("parent|sub") the exact bytes of its COMMAND INFO entry and of its COMMAND DOCS value,
with nested subcommands sorted by name (Redis's own order is a per-process hash order).
The runtime re-emits those bytes through the ReplyBuilder, which turns them back into RESP2 when
the client speaks RESP2.

To prove that this RESP3 -> RESP2 mapping reproduces what Redis itself sends to a RESP2 client,
the script also fetches both replies over a RESP2 connection and stores, per record, the length
and FNV-1a 64 hash of the RESP2 bytes. The unit test re-emits every record in RESP2 and compares.

Usage: /usr/bin/python3 scripts/gen_command_meta.py [--redis-server PATH] [--out FILE]
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

AGGREGATES = b"*%~>"
# The types COMMAND INFO/DOCS use in Redis 7.0; the runtime re-emits exactly these, so anything
# else showing up in a newer server must be noticed here, not mis-encoded later.
EMITTABLE = b"*%~+:$"
LINE_SCALARS = b"+-:_,#("
BLOB_SCALARS = b"$=!"


class Node:
    """One RESP value: its type byte, its byte span in the buffer, and its children."""

    __slots__ = ("kind", "start", "end", "text", "children")

    def __init__(self, kind, start):
        self.kind = kind
        self.start = start
        self.end = start
        self.text = None
        self.children = []


class Incomplete(Exception):
    pass


def parse(buf, pos):
    """Parses one RESP2/RESP3 value at buf[pos:]; raises Incomplete if it is cut short."""
    if pos >= len(buf):
        raise Incomplete()
    node = Node(buf[pos], pos)
    eol = buf.find(b"\r\n", pos)
    if eol < 0:
        raise Incomplete()
    header = buf[pos + 1 : eol]
    pos = eol + 2
    if node.kind in AGGREGATES:
        count = int(header)
        if node.kind == ord("%"):
            count *= 2
        for _ in range(max(count, 0)):
            child = parse(buf, pos)
            node.children.append(child)
            pos = child.end
    elif node.kind in BLOB_SCALARS:
        length = int(header)
        if length >= 0:
            if pos + length + 2 > len(buf):
                raise Incomplete()
            node.text = buf[pos : pos + length]
            pos += length + 2
    elif node.kind in LINE_SCALARS:
        node.text = header
    else:
        sys.exit("unexpected RESP type byte %r at offset %d" % (chr(node.kind), node.start))
    node.end = pos
    return node


def encode_command(*parts):
    out = [b"*%d\r\n" % len(parts)]
    for p in parts:
        p = p.encode() if isinstance(p, str) else p
        out.append(b"$%d\r\n%s\r\n" % (len(p), p))
    return b"".join(out)


class Connection:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def call(self, *parts):
        """Sends one command and returns (raw buffer, parsed reply root)."""
        self.sock.sendall(encode_command(*parts))
        while True:
            try:
                root = parse(self.buf, 0)
                break
            except Incomplete:
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    sys.exit("redis-server closed the connection")
                self.buf += chunk
        data, self.buf = self.buf[: root.end], self.buf[root.end :]
        if root.kind == ord("-"):
            sys.exit("redis-server replied %s" % data.decode(errors="replace").strip())
        return data, root

    def close(self):
        self.sock.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(binary, workdir):
    for _ in range(5):
        port = free_port()
        proc = subprocess.Popen(
            [binary, "--save", "", "--port", str(port), "--bind", "127.0.0.1",
             "--appendonly", "no", "--dir", workdir, "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline and proc.poll() is None:
            try:
                conn = Connection(port)
                conn.call("PING")
                return proc, conn, port
            except (ConnectionRefusedError, OSError):
                time.sleep(0.05)
        if proc.poll() is None:
            proc.terminate()
            proc.wait()
    sys.exit("could not start %s" % binary)


def map_pairs(node):
    """Key/value pairs of a RESP3 map or of the flat array RESP2 sends in its place."""
    kids = node.children
    return [(kids[i].text.decode(), kids[i + 1]) for i in range(0, len(kids), 2)]


def check_types(node):
    if node.kind not in EMITTABLE:
        sys.exit("COMMAND reply uses RESP type %r, which command_meta.cc does not re-emit" %
                 chr(node.kind))
    for child in node.children:
        check_types(child)


def header(buf, node):
    """The aggregate's own type-and-length line."""
    return buf[node.start : node.children[0].start] if node.children else buf[node.start : node.end]


def info_bytes(buf, entry):
    """An INFO entry with its nested subcommand entries sorted by name.

    Redis lists subcommands in the order of a dict hashed with a per-process random seed, so two
    captures differ; sorting makes the generated file reproducible and is an order Redis could
    have produced.
    """
    subs = entry.children[9]
    assert subs.end == entry.end, "the subcommands must be the last element of an INFO entry"
    nested = sorted((s.children[0].text, info_bytes(buf, s)) for s in subs.children)
    out = buf[entry.start : subs.start] + header(buf, subs) + b"".join(b for _, b in nested)
    assert len(out) == entry.end - entry.start
    return out


def docs_bytes(buf, value):
    """A DOCS value with its "subcommands" map sorted by name (see info_bytes)."""
    out = [header(buf, value)]
    kids = value.children
    for i in range(0, len(kids), 2):
        key, field = kids[i], kids[i + 1]
        out.append(buf[key.start : key.end])
        if key.text == b"subcommands":
            pairs = sorted((field.children[j].text,
                            buf[field.children[j].start : field.children[j].end] +
                            docs_bytes(buf, field.children[j + 1]))
                           for j in range(0, len(field.children), 2))
            out.append(header(buf, field) + b"".join(b for _, b in pairs))
        else:
            out.append(buf[field.start : field.end])
    out = b"".join(out)
    assert len(out) == value.end - value.start
    return out


def collect(info_buf, info_root, docs_buf, docs_root):
    """name -> (info bytes, docs bytes) for every command and subcommand."""
    check_types(info_root)
    check_types(docs_root)
    info = {}

    def add_info(entry):
        name = entry.children[0].text.decode()
        info[name] = info_bytes(info_buf, entry)
        for sub in entry.children[9].children:
            add_info(sub)

    for entry in info_root.children:
        add_info(entry)

    docs = {}

    def add_docs(name, value):
        docs[name] = docs_bytes(docs_buf, value)
        for key, field in map_pairs(value):
            if key == "subcommands":
                for sub_name, sub_value in map_pairs(field):
                    add_docs(sub_name, sub_value)

    for name, value in map_pairs(docs_root):
        add_docs(name, value)

    if set(info) != set(docs):
        sys.exit("COMMAND INFO and COMMAND DOCS disagree on names: %s" %
                 sorted(set(info) ^ set(docs)))
    return {name: (info[name], docs[name]) for name in info}


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def c_literal_lines(data, indent, width=96):
    """Splits bytes into escaped C++ string literals, one per line, breaking after CRLF."""
    lines, cur = [], []
    cur_len = 0
    i = 0
    while i < len(data):
        b = data[i]
        if b == 13 and i + 1 < len(data) and data[i + 1] == 10:
            cur.append("\\r\\n")
            cur_len += 4
            i += 2
            if cur_len >= width:
                lines.append("".join(cur))
                cur, cur_len = [], 0
            continue
        if b in (0x22, 0x5C, 0x3F):  # " \ ? (no trigraph can form)
            piece = "\\" + chr(b)
        elif 0x20 <= b < 0x7F:
            piece = chr(b)
        else:
            piece = "\\%03o" % b  # three octal digits never swallow a following digit
        cur.append(piece)
        cur_len += len(piece)
        i += 1
    if cur or not lines:
        lines.append("".join(cur))
    return "\n".join(indent + '"' + line + '"' for line in lines)


def render(version, records, digests):
    out = []
    out.append("// Generated by scripts/gen_command_meta.py from redis-server %s. Do not edit.\n"
               "// Each record: name, the RESP3 bytes of its COMMAND INFO entry, the RESP3 bytes of\n"
               "// its COMMAND DOCS value. Sorted by name (bytewise) for binary search; containers list their\n"
               "// nested subcommands sorted by name too.\n"
               "// clang-format off\n" % version)
    out.append("#if defined(BAOZI_COMMAND_META_ENTRIES)\n")
    out.append('inline constexpr std::string_view kCommandMetaRedisVersion = "%s";\n' % version)
    out.append("inline constexpr CommandMeta kCommandMetaEntries[] = {\n")
    for name in sorted(records, key=lambda n: n.encode()):
        info, docs = records[name]
        out.append('  {"%s",\n   std::string_view(\n%s,\n    %d),\n   std::string_view(\n%s,\n    %d)},\n'
                   % (name, c_literal_lines(info, "    "), len(info),
                      c_literal_lines(docs, "    "), len(docs)))
    out.append("};\n#endif  // BAOZI_COMMAND_META_ENTRIES\n\n")
    out.append("#if defined(BAOZI_COMMAND_META_RESP2_DIGESTS)\n")
    out.append("// {name, RESP2 info length, FNV-1a 64 of it, RESP2 docs length, FNV-1a 64 of it}\n")
    out.append("inline constexpr CommandMetaResp2Digest kCommandMetaResp2Digests[] = {\n")
    for name in sorted(digests, key=lambda n: n.encode()):
        il, ih, dl, dh = digests[name]
        out.append('  {"%s", %d, 0x%016xULL, %d, 0x%016xULL},\n' % (name, il, ih, dl, dh))
    out.append("};\n#endif  // BAOZI_COMMAND_META_RESP2_DIGESTS\n")
    return "".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--redis-server", default=shutil.which("redis-server") or "/usr/bin/redis-server")
    ap.add_argument("--out", default=os.path.join(REPO, "server", "command_meta_data.inc"))
    args = ap.parse_args()

    workdir = tempfile.mkdtemp(prefix="baozi-meta-")
    proc, conn2, port = start_server(args.redis_server, workdir)
    try:
        _, hello = conn2.call("HELLO", "2")
        version = dict(map_pairs(hello))["version"].text.decode()
        info2 = conn2.call("COMMAND", "INFO")
        docs2 = conn2.call("COMMAND", "DOCS")
        conn2.close()

        conn3 = Connection(port)
        conn3.call("HELLO", "3")
        info3 = conn3.call("COMMAND", "INFO")
        docs3 = conn3.call("COMMAND", "DOCS")
        conn3.close()
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)

    records = collect(*info3, *docs3)
    resp2 = collect(*info2, *docs2)
    if set(records) != set(resp2):
        sys.exit("RESP2 and RESP3 replies name different commands")
    digests = {n: (len(i), fnv1a64(i), len(d), fnv1a64(d)) for n, (i, d) in resp2.items()}

    text = render(version, records, digests)
    with open(args.out, "w") as f:
        f.write(text)
    print("%s: %d records (%d commands) from redis-server %s, %d bytes" %
          (os.path.relpath(args.out, REPO), len(records), len(info3[1].children), version,
           len(text)))


if __name__ == "__main__":
    main()
