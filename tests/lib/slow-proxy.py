#!/usr/bin/env python3
"""slow-proxy.py UPSTREAM PORTFILE [CHUNK DELAY]: a fault-injection proxy for the image tests.

Listens on 127.0.0.1 (a free port, written to PORTFILE) and forwards every GET and HEAD to the
real registry at UPSTREAM (host:port, plain HTTP), with the client's Accept, Range and
Authorization headers. Blob bodies are sent back in CHUNK-byte pieces (default 16384) with DELAY
seconds (default 0.02) between them, so that a test can kill the client, or this proxy, in the
middle of a download. Manifests and everything else pass at full speed.
"""
import http.client
import http.server
import sys
import time

UPSTREAM = sys.argv[1]
PORTFILE = sys.argv[2]
CHUNK = int(sys.argv[3]) if len(sys.argv) > 3 else 16384
DELAY = float(sys.argv[4]) if len(sys.argv) > 4 else 0.02
PASS_HEADERS = ("Content-Type", "Content-Length", "Content-Range", "Docker-Content-Digest",
                "Docker-Distribution-Api-Version", "WWW-Authenticate", "Accept-Ranges", "Location")


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def forward(self, send_body):
        conn = http.client.HTTPConnection(UPSTREAM, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k in ("Accept", "Range", "Authorization")}
        conn.request(self.command, self.path, headers=headers)
        resp = conn.getresponse()
        self.send_response(resp.status)
        for name in PASS_HEADERS:
            value = resp.getheader(name)
            if value is not None:
                self.send_header(name, value)
        self.end_headers()
        slow = "/blobs/" in self.path
        while send_body:
            data = resp.read(CHUNK)
            if not data:
                break
            self.wfile.write(data)
            self.wfile.flush()
            if slow:
                time.sleep(DELAY)
        conn.close()

    def do_GET(self):
        self.forward(True)

    def do_HEAD(self):
        self.forward(False)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402  (only for the atomic rename)
os.rename(PORTFILE + ".tmp", PORTFILE)
server.serve_forever()
