#!/usr/bin/env python3
"""Tiny example application for slipway's `local` stack tool.

GET /health   -> 200 {"status": "ok"}            (503 when the file named by FAIL_HEALTH exists)
GET /version  -> 200 {"version": "<APP_VERSION, else STACK_VERSION, else dev>"}
GET /metrics  -> 200 {"requests": N, "errors": N, "error_rate": errors/requests}  (for monitor)
GET /         -> 200 plain-text greeting
Anything else -> 404. Listens on 127.0.0.1:$PORT (default 8080). Standard library only.
"""
import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


COUNTS = {"requests": 0, "errors": 0}


class Handler(BaseHTTPRequestHandler):
    server_version = "slipway-example/1"

    def _send(self, status, body, content_type="application/json"):
        COUNTS["requests"] += 1
        if status >= 500:
            COUNTS["errors"] += 1
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            fail_file = os.environ.get("FAIL_HEALTH", "")
            if fail_file and os.path.exists(fail_file):
                self._send(503, {"status": "failing"})
            else:
                self._send(200, {"status": "ok"})
        elif self.path == "/version":
            self._send(200, {"version": os.environ.get("APP_VERSION") or os.environ.get("STACK_VERSION") or "dev"})
        elif self.path == "/metrics":
            total = COUNTS["requests"]
            self._send(200, {"requests": total, "errors": COUNTS["errors"],
                             "error_rate": COUNTS["errors"] / total if total else 0.0})
        elif self.path == "/":
            self._send(200, "hello from the slipway example app\n", "text/plain")
        else:
            self._send(404, {"error": "not found"})

    def log_message(self, fmt, *args):  # one line per request on stderr
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))


def main():
    port = int(os.environ.get("PORT", "8080"))
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # unwinds serve_forever()
    print(f"listening on 127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
