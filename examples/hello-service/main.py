"""A minimal Python service for isp-python-wrapper-kit, standard library only.

Listens on BINDING_ADDRESS (or serves the host's socket, fd 3, when LISTEN_FDS=1), reads its config from
CONFIG_FILE, accepts the addresses of required modules at POST /receive_module_addresses and shows everything
at GET /. Sends READY=1 to NOTIFY_SOCKET once serving, when the host asks for it.
"""
import json
import os
import signal
import socket
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
    # Installed first: a SIGTERM from now on ends the process with exit code 0. (The host sends each process
    # of the service SIGTERM once, so a plain handler is enough.)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    if os.environ.get("LISTEN_FDS") == "1":
        # python.socket: inherit: serve the host's listening socket instead of binding one.
        server = ThreadingHTTPServer((HOST or "0.0.0.0", int(PORT)), Handler, bind_and_activate=False)
        server.socket.close()
        server.socket = socket.socket(fileno=3)
    else:
        server = ThreadingHTTPServer((HOST or "0.0.0.0", int(PORT)), Handler)
    print(f"hello-service: pid {os.getpid()} listening on {HOST}:{PORT}, greeting={CONFIG.get('greeting')!r}",
          flush=True)
    if os.environ.get("NOTIFY_SOCKET"):
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
            notify.sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
