#!/usr/bin/env python3
"""Single-file latency: `atlasgov-lint check DOC` from process start to exit, and
`textDocument/didChange` round trips in `atlasgov-lint server`, each beside `cat DOC` (process
start to exit) measured in the same run.

The check runs N times (as a pre-commit hook runs it: DOC alone, its repository's files above
it read as context), interleaved with `cat DOC` and with `find` listing DOC's directory with
each entry's size and times (the floor of a check that notices any sibling's change). Then the
server opens DOC (workspace: ROOT) and gets N full-text changes, alternating a violating and a
compliant version of the document, each time waiting for the publishDiagnostics it causes. Prints medians and 90th percentiles in
milliseconds.

usage: latency.py BINARY ROOT DOC [N] [LABEL]
"""
import os
import statistics
import subprocess
import sys
import time

from lsp_client import Client


def summary(times):
    times = sorted(times)
    p90 = times[max(int(len(times) * 0.9) - 1, 0)]
    return f"median {statistics.median(times):.2f} ms, p90 {p90:.2f} ms"


def timed(argv):
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000


def main():
    binary, root, doc = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    label = sys.argv[5] if len(sys.argv) > 5 else "one small file"

    # The floor of a check that must notice any sibling's change: listing the file's directory
    # and reading each entry's size and times (one stat each), as `find` does.
    lister = ["find", os.path.dirname(doc), "-maxdepth", "1", "-printf", "%s %T@ %C@\n"]
    times, cats, lists = [], [], []
    for _ in range(n):
        cats.append(timed(["cat", sys.argv[3]]))
        lists.append(timed(lister))
        times.append(timed([binary, "check", "--format", "json", sys.argv[3]]))
    cat, listed = statistics.median(cats), statistics.median(lists)
    print(f"{label}, process start to exit ({n} runs): {summary(times)} "
          f"= {statistics.median(times) / cat:.1f}x cat of the file ({cat:.2f} ms) "
          f"= {statistics.median(times) / listed:.1f}x listing its directory with each "
          f"entry's size and times ({listed:.2f} ms, find -printf)")

    for watch in ("none", "server", "client"):
        round_trips(binary, root, doc, n, label, cat, watch)


def round_trips(binary, root, doc, n, label, cat, watch):
    """didChange round trips in one server session. `watch`: "client", the client offers to
    watch files for the server (as VS Code does) and accepts its registration; "server", it
    does not, and the server watches the workspace itself (the round trips start once its
    watch is in place); "none", neither (`server --no-watch`: every check lists again)."""
    argv = [binary, "server"] + (["--no-watch"] if watch == "none" else [])
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE if watch == "server" else subprocess.DEVNULL)
    client = Client(proc)
    send, receive = client.send, client.receive

    uri = "file://" + doc
    with open(doc, encoding="utf-8") as f:
        compliant = f.read()
    violating = compliant.replace("US_EAST_1", "US_GOV_EAST_1").replace("M30", "M10")
    assert violating != compliant, "DOC must contain US_EAST_1 or M30"

    capabilities = {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}} \
        if watch == "client" else {}
    send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
          "params": {"processId": None, "rootUri": "file://" + root,
                     "capabilities": capabilities}})
    receive()
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    if watch == "server":
        for line in proc.stderr:
            if b"watching the workspace's files" in line:
                break
        else:
            raise SystemExit("the server did not watch the workspace")
    if watch == "client":
        registration = receive()
        assert registration.get("method") == "client/registerCapability", registration
        send({"jsonrpc": "2.0", "id": registration["id"], "result": None})
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
    how = {"client": "client watches files",
           "server": "client does not watch files, the server does",
           "none": "nobody watches files (server --no-watch)"}[watch]
    print(f"{label}, didChange round trip, {how} ({n} changes, diagnostics per change: "
          f"{sorted(counts)}): {summary(times)} = {statistics.median(times) / cat:.1f}x cat of the file")


if __name__ == "__main__":
    main()
