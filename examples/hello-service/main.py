"""A minimal Python service for isp-python-wrapper-kit, standard library only.

Listens on BINDING_ADDRESS, reads its config from CONFIG_FILE, accepts the addresses of required
modules at POST /receive_module_addresses and shows everything at GET /.
"""
import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONFIG_FILE = os.environ["CONFIG_FILE"]
HOST, _, PORT = os.environ["BINDING_ADDRESS"].rpartition(":")
HOST = HOST.strip("[]")

with open(CONFIG_FILE, encoding="utf-8") as f:
    CONFIG = json.load(f)
ADDRESSES = {}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/":
            self.reply(200, {"pid": os.getpid(), "config": CONFIG, "moduleAddresses": ADDRESSES})
        else:
            self.reply(404, {"error": "not found"})

    def do_POST(self):
        if self.path != "/receive_module_addresses":
            self.reply(404, {"error": "not found"})
            return
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        ADDRESSES[body["module"]] = body["hosts"]
        print(f"hello-service: addresses of {body['module']}: {body['hosts']}", flush=True)
        self.reply(200, {"ok": True})

    def reply(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass


def main():
    server = ThreadingHTTPServer((HOST or "0.0.0.0", int(PORT)), Handler)

    def stop(signum, frame):
        # shutdown() waits for serve_forever(), so it must run outside the signal handler's thread of control.
        server.server_close()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    print(f"hello-service: pid {os.getpid()} listening on {HOST}:{PORT}, greeting={CONFIG.get('greeting')!r}",
          flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
