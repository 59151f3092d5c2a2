#!/usr/bin/env python3
"""fake-registry.py INFO_FILE: a registry that misbehaves on purpose, for the
error paths of vessel's registry client that docker-registry never takes.

It listens on 127.0.0.1 (a free port) and serves one blob (300,000 bytes)
under GET /v2/<repo>/blobs/<digest>; the first component of <repo> picks the
behaviour:
  good/...      honours Range (206) like a real registry
  norange/...   ignores Range: always 200 with the whole blob
  short/...     announces the whole length, sends half, closes
  redirect/...  307 to /storage/<digest>, which serves it (honouring Range)
  error/...     404 with the spec's {"errors":[...]} body
GET /v2/ answers 200. With --bearer every /v2/ request needs a token from
GET /token (Basic bob:pw; the token is "tok<N>-<scope>", N counting tokens
issued) as docker's token auth does; under expire/... the first token seen
is refused (401) from then on, as an expired one would be. It writes "PORT DIGEST SIZE" to INFO_FILE once listening
and logs each request ("METHOD PATH RANGE") to INFO_FILE.log.
"""
import base64
import hashlib
import http.server
import json
import os
import sys
import urllib.parse

BEARER = "--bearer" in sys.argv
TOKENS = [0]
EXPIRED = [None]  # the token refused under expire/: the first one seen there
BLOB = bytes((i * 7 + i // 251) & 0xFF for i in range(300000))
DIGEST = "sha256:" + hashlib.sha256(BLOB).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_blob(self, honour_range, short=False):
        start = 0
        rng = self.headers.get("Range")
        if honour_range and rng and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[len("bytes="):-1])
        body = BLOB[start:]
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(BLOB) - 1, len(BLOB)))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        if short:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def deny(self):
        port = self.server.server_address[1]
        self.send_response(401)
        self.send_header("WWW-Authenticate",
                         'Bearer realm="http://127.0.0.1:%d/token",service="fake",scope="x"' % port)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def token(self):
        want = "Basic " + base64.b64encode(b"bob:pw").decode()
        if self.headers.get("Authorization") != want:
            self.send_response(401)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        TOKENS[0] += 1
        body = json.dumps({"token": "tok%d-%s" % (TOKENS[0], " ".join(query.get("scope", [])))}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def authorized(self, repo):
        auth = self.headers.get("Authorization") or ""
        if not BEARER:
            return True
        if not auth.startswith("Bearer tok"):
            return False
        generation, _, scope = auth[len("Bearer tok"):].partition("-")
        if repo is None:
            return True
        if repo.startswith("expire/") and not EXPIRED[0]:
            EXPIRED[0] = generation
        if repo.startswith("expire/") and generation == EXPIRED[0]:
            return False
        return scope == "repository:%s:pull" % repo

    def do_GET(self):
        with open(LOG, "a") as log:
            log.write("GET %s %s\n" % (self.path, self.headers.get("Range") or "-"))
        if self.path.startswith("/token"):
            self.token()
            return
        if self.path.startswith("/v2/"):
            parts = self.path.split("/")
            repo = "/".join(parts[2:-2]) if len(parts) >= 5 else None
            if not self.authorized(repo):
                self.deny()
                return
        if self.path == "/v2/":
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")
            return
        if self.path == "/storage/" + DIGEST:
            self.send_blob(True)
            return
        parts = self.path.split("/")
        if len(parts) < 5 or parts[1] != "v2" or parts[-2] != "blobs" or parts[-1] != DIGEST:
            self.send_error(404)
            return
        kind = parts[2]
        if kind in ("good", "expire"):
            self.send_blob(True)
        elif kind == "norange":
            self.send_blob(False)
        elif kind == "short":
            self.send_blob(True, short=True)
        elif kind == "redirect":
            self.send_response(307)
            self.send_header("Location", "/storage/" + DIGEST)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            body = json.dumps({"errors": [{"code": "BLOB_UNKNOWN", "message": "blob unknown to registry",
                                           "detail": DIGEST}]}).encode()
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


if __name__ == "__main__":
    info = sys.argv[1]
    LOG = info + ".log"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(info + ".tmp", "w") as f:
        f.write("%d %s %d\n" % (server.server_address[1], DIGEST, len(BLOB)))
    os.rename(info + ".tmp", info)
    server.serve_forever()
