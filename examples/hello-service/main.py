"""A minimal Python service for isp-python-wrapper-kit: the standard library's HTTP server on isp_wrapper.

GET / shows the process, its config and the addresses of the required modules. isp_wrapper.serve_http listens on
BINDING_ADDRESS (or serves the host's socket, fd 3), answers POST /receive_module_addresses, sends READY=1 once
serving and, on SIGTERM, finishes the requests in flight before it returns.
"""
import json
import os
from http.server import BaseHTTPRequestHandler

import isp_wrapper

CONFIG = isp_wrapper.config(parse_float=float)  # numbers as float: they are only shown here


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/":
            self.reply(200, {"pid": os.getpid(), "config": CONFIG, "moduleAddresses": isp_wrapper.addresses.all()})
        else:
            self.reply(404, {"error": "not found"})

    def reply(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass


@isp_wrapper.addresses.on_change
def addresses_changed(module, hosts):
    print(f"hello-service: addresses of {module}: {hosts}", flush=True)


def serving():
    print(f"hello-service: pid {os.getpid()} listening on {isp_wrapper.binding_address()}, "
          f"greeting={CONFIG.get('greeting')!r}", flush=True)


if __name__ == "__main__":
    isp_wrapper.serve_http(Handler, on_ready=serving)
