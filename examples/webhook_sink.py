#!/usr/bin/env python3
"""A loopback webhook receiver for the local demo: accepts POSTs on 127.0.0.1, appends each
body as one line to the file given as argv[1], and prints its port on stdout. It stops by itself
after argv[2] seconds (default 600) so it can never outlive the demo for long."""
import http.server
import sys
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(sys.argv[1], "ab") as out:
            out.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Timer(float(sys.argv[2]) if len(sys.argv) > 2 else 600, server.shutdown).start()
server.serve_forever()
