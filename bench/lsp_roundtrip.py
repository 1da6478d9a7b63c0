#!/usr/bin/env python3
"""Time `textDocument/didChange` round trips in `atlasgov-lint server`.

Starts the server, opens DOC (workspace: ROOT) and sends N full-text changes, alternating a
violating and a compliant version of the document, each time waiting for the
publishDiagnostics it causes. Prints the median and the 90th percentile, in milliseconds, of
the time from writing the change to reading its diagnostics.

usage: lsp_roundtrip.py BINARY ROOT DOC [N]
"""
import json
import os
import statistics
import subprocess
import sys
import time


def main():
    binary, root, doc = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    proc = subprocess.Popen([binary, "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)

    def send(obj):
        body = json.dumps(obj).encode()
        proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        proc.stdin.flush()

    def receive():
        length = None
        while True:
            line = proc.stdout.readline()
            if not line:
                sys.exit("the server closed its output")
            line = line.strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return json.loads(proc.stdout.read(length))

    uri = "file://" + doc
    with open(doc, encoding="utf-8") as f:
        compliant = f.read()
    violating = compliant.replace("US_EAST_1", "US_GOV_EAST_1").replace("M30", "M10")
    assert violating != compliant, "DOC must contain US_EAST_1 or M30"

    send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
          "params": {"processId": None, "rootUri": "file://" + root, "capabilities": {}}})
    receive()
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "yaml", "version": 0, "text": compliant}}})
    receive()

    times = []
    counts = set()
    for version in range(1, n + 1):
        text = violating if version % 2 else compliant
        start = time.perf_counter()
        send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": text}]}})
        msg = receive()
        times.append((time.perf_counter() - start) * 1000)
        assert msg["params"]["version"] == version, msg
        counts.add(len(msg["params"]["diagnostics"]))

    send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    receive()
    send({"jsonrpc": "2.0", "method": "exit"})
    proc.wait(timeout=10)
    times.sort()
    p90 = times[int(len(times) * 0.9) - 1]
    print(f"didChange round trip ({n} changes, diagnostics per change: {sorted(counts)}): "
          f"median {statistics.median(times):.2f} ms, p90 {p90:.2f} ms")


if __name__ == "__main__":
    main()
