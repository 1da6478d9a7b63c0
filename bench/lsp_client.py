"""A minimal LSP client over a server's standard input and output, for the bench scripts."""
import json
import sys


class Client:
    """Messages to and from `proc` (a subprocess.Popen with piped stdin and stdout)."""

    def __init__(self, proc):
        self.proc = proc

    def send(self, obj):
        body = json.dumps(obj).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def receive(self):
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                sys.exit("the server closed its output")
            line = line.strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return json.loads(self.proc.stdout.read(length))
