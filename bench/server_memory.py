#!/usr/bin/env python3
"""Memory of the language server around a large document: resident memory (VmRSS, and the
peak VmHWM) after start, after a SIZE-megabyte YAML document is opened and checked, and after
it is closed. Linux only (reads /proc/PID/status).

usage: server_memory.py BINARY [SIZE_MB] [ROUNDS]

Each round opens the document, waits for its diagnostics, closes it and waits for the empty
diagnostics that clear it, then waits 3 s: the server gives memory back after 1.5 s idle.
"""
import json
import re
import os
import subprocess
import sys
import tempfile
import time


def status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                out[name] = int(value.split()[0]) // 1024
    return out


def main():
    binary = sys.argv[1]
    size_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    cluster = ("- name: c{i}\n  clusterType: REPLICASET\n  replicationSpecs:\n"
               "    - regionConfigs:\n        - providerName: AWS\n"
               "          regionName: US_EAST_1\n          priority: 7\n")
    parts, size, i = [], 0, 0
    while size < size_mb * 1024 * 1024:
        part = cluster.format(i=i)
        parts.append(part)
        size += len(part)
        i += 1
    text = "".join(parts)

    root = tempfile.mkdtemp()
    proc = subprocess.Popen([binary, "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=None if os.environ.get("ATLASGOV_LINT_LOG") else
                            subprocess.DEVNULL, cwd=root)

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

    def report(when):
        s = status(proc.pid)
        print(f"{when:<40} VmRSS {s['VmRSS']:>5} MB   VmHWM {s['VmHWM']:>5} MB", flush=True)

    send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
          "params": {"processId": None, "rootUri": "file://" + root, "capabilities": {}}})
    receive()
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    report("initialized")
    uri = "file://" + os.path.join(root, "big.yaml")
    for r in range(rounds):
        started = time.perf_counter()
        send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "yaml", "version": 0, "text": text}}})
        receive()
        report(f"round {r + 1}: {len(text) >> 20} MB open, checked "
               f"({time.perf_counter() - started:.1f} s)")
        send({"jsonrpc": "2.0", "method": "textDocument/didClose",
              "params": {"textDocument": {"uri": uri}}})
        receive()
        time.sleep(3)
        report(f"round {r + 1}: closed, 3 s later")
        if os.environ.get("SMAPS"):
            mappings, current = [], None
            with open(f"/proc/{proc.pid}/smaps") as f:
                for line in f:
                    if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                        current = line.strip()
                    elif line.startswith("Rss:"):
                        mappings.append((int(line.split()[1]), current))
            for rss, m in sorted(mappings, reverse=True)[:6]:
                print(f"    {rss // 1024:>5} MB  {m}")
    send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
    receive()
    send({"jsonrpc": "2.0", "method": "exit", "params": None})
    proc.wait(timeout=30)


if __name__ == "__main__":
    main()
