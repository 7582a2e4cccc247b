"""isp_wrapper.addresses and POST /receive_module_addresses: strict about the body, for ASGI, WSGI and http.server."""

import asyncio
import http.client
import io
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import isp_wrapper
from isp_wrapper import Addresses
from isp_wrapper.asgi import AddressesMiddleware as AsgiAddresses
from isp_wrapper.asgi import addresses_route
from isp_wrapper.httpserver import AddressesHandlerMixin
from isp_wrapper.wsgi import AddressesMiddleware as WsgiAddresses

JSON = "application/json"


def body(value):
    return json.dumps(value).encode()


@pytest.mark.parametrize("raw, reason", [
    (b"", 'the body is empty; expected {"module": "<name>", "hosts": ["host:port", ...]}'),
    (b"{", "the body is not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2"),
    (b"\xff", "the body is not UTF-8 (byte 0)"),
    (b"[]", 'expected {"module": "<name>", "hosts": ["host:port", ...]}, got a list'),
    (body({"hosts": []}), "module: required key is missing"),
    (body({"module": 3, "hosts": []}), "module: expected a string, got 3"),
    (body({"module": " ", "hosts": []}), "module: must not be empty"),
    (body({"module": "auth"}), "hosts: required key is missing"),
    (body({"module": "auth", "hosts": "10.0.0.1:9003"}),
     'hosts: expected a list of "host:port" strings, got "10.0.0.1:9003"'),
    (body({"module": "auth", "hosts": None}), 'hosts: expected a list of "host:port" strings, got null'),
    (body({"module": "auth", "hosts": ["10.0.0.1:9003", 9004]}), 'hosts[1]: expected a "host:port" string, got 9004'),
    (body({"module": "auth", "hosts": ["10.0.0.1"]}),
     'hosts[0]: expected "host:port" (port 1-65535, an IPv6 host in brackets), got "10.0.0.1"'),
    (body({"module": "auth", "hosts": ["::1:9003"]}),
     'hosts[0]: expected "host:port" (port 1-65535, an IPv6 host in brackets), got "::1:9003"'),
    (body({"module": "auth", "hosts": ["a:70000"]}),
     'hosts[0]: expected "host:port" (port 1-65535, an IPv6 host in brackets), got "a:70000"'),
    (b'{"module": "a", "module": "b", "hosts": []}', 'the body is not valid JSON: the key "module" appears twice'),
    (b'{"module": "a", "hosts": [NaN]}', "the body is not valid JSON: NaN is not valid JSON"),
])
def test_a_body_that_is_not_exactly_module_and_hosts_gets_400_with_the_reason(raw, reason):
    store = Addresses()

    reply = store.handle("POST", JSON, raw)

    assert (reply.status, json.loads(reply.body)) == (400, {"error": reason})
    assert store.all() == {}


def test_the_hosts_the_host_sends_are_accepted():
    store = Addresses()
    hosts = ["10.0.0.1:9003", "[fd00::7]:9011", "auth.internal:80", "[::1]:65535"]

    reply = store.handle("POST", "application/json; charset=utf-8",
                         b'{"hosts": %s, "module": "isp-auth-service", "future": 1}\n' % json.dumps(hosts).encode())

    assert (reply.status, json.loads(reply.body)) == (200, {"ok": True})
    assert store.get("isp-auth-service") == hosts and store["isp-auth-service"] == hosts
    assert "isp-auth-service" in store and list(store) == ["isp-auth-service"] and len(store) == 1


def test_an_empty_list_is_a_list():
    store = Addresses()
    assert store.handle("POST", JSON, body({"module": "auth", "hosts": []})).status == 200
    assert store.get("auth") == [] and store.get("other") is None and store.get("other", []) == []
    with pytest.raises(KeyError, match="no addresses of module 'other'"):
        store["other"]


@pytest.mark.parametrize("method, content_type, status, error", [
    ("GET", JSON, 405, "/receive_module_addresses accepts POST, not GET"),
    ("POST", "text/plain", 415, "Content-Type must be application/json, got text/plain"),
    ("POST", None, 415, "Content-Type must be application/json, got none"),
])
def test_the_method_and_the_content_type_are_checked(method, content_type, status, error):
    reply = Addresses().handle(method, content_type, body({"module": "auth", "hosts": []}))

    assert (reply.status, json.loads(reply.body)) == (status, {"error": error})


def test_callbacks_run_when_a_list_changes_and_not_when_it_is_delivered_again():
    store = Addresses()
    calls = []
    store.on_change(lambda module, hosts: calls.append(("all", module, hosts)))

    @store.on_change(module="auth")
    def auth(module, hosts):
        calls.append(("auth", module, hosts))

    assert store.update("auth", ["10.0.0.1:9003"]) is True
    assert store.update("auth", ["10.0.0.1:9003"]) is False  # the host delivers again to every new child
    assert store.update("other", []) is True
    assert store.update("auth", ["10.0.0.2:9003"]) is True
    store.remove_on_change(auth)
    store.update("auth", [])

    assert calls == [("all", "auth", ["10.0.0.1:9003"]), ("auth", "auth", ["10.0.0.1:9003"]),
                     ("all", "other", []),
                     ("all", "auth", ["10.0.0.2:9003"]), ("auth", "auth", ["10.0.0.2:9003"]),
                     ("all", "auth", [])]


def test_a_failing_callback_is_logged_and_the_list_is_kept(caplog):
    store = Addresses()
    store.on_change(lambda module, hosts: 1 / 0)

    with caplog.at_level(logging.INFO, logger="isp_wrapper"):
        reply = store.handle("POST", JSON, body({"module": "auth", "hosts": ["a:1"]}))

    assert reply.status == 200 and store.get("auth") == ["a:1"]
    assert "a callback for the addresses of auth failed" in caplog.text and "ZeroDivisionError" in caplog.text


def test_wait_returns_the_list_once_it_arrives_and_times_out_otherwise():
    store = Addresses()
    threading.Timer(0.05, store.update, ("auth", ["a:1"])).start()

    assert store.wait("auth", timeout=5) == ["a:1"]
    with pytest.raises(TimeoutError, match="no addresses of module 'other' arrived .* within 0.01 s"):
        store.wait("other", timeout=0.01)


def test_the_returned_lists_are_copies():
    store = Addresses()
    store.update("auth", ["a:1"])
    store.get("auth").append("b:2")
    store.all()["auth"].append("c:3")
    assert store.get("auth") == ["a:1"]


def test_the_process_has_one_store():
    assert isinstance(isp_wrapper.addresses, Addresses)
    assert isp_wrapper.ADDRESSES_PATH == "/receive_module_addresses"


# ---- ASGI ----

async def fallback_app(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"3")]})
    await send({"type": "http.response.body", "body": b"app"})


def call_asgi(app, method, path, content_type=JSON, chunks=(b"",)):
    headers = [(b"content-type", content_type.encode())] if content_type else []
    scope = {"type": "http", "method": method, "path": path, "headers": headers, "query_string": b"",
             "root_path": "", "http_version": "1.1", "scheme": "http", "server": ("127.0.0.1", 80)}
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    sent = []

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start, body_message = sent
    return start["status"], dict(start["headers"]), body_message["body"]


def test_the_asgi_middleware_answers_the_path_and_passes_everything_else_on():
    store = Addresses()
    app = AsgiAddresses(fallback_app, addresses=store)

    status, headers, data = call_asgi(app, "POST", "/receive_module_addresses",
                                      chunks=[b'{"module": "auth", ', b'"hosts": ["10.0.0.1:9003"]}'])
    assert (status, json.loads(data), headers[b"content-type"]) == (200, {"ok": True}, b"application/json")
    assert store.get("auth") == ["10.0.0.1:9003"]

    assert call_asgi(app, "GET", "/other")[2] == b"app"
    status, headers, data = call_asgi(app, "GET", "/receive_module_addresses")
    assert (status, headers[b"allow"]) == (405, b"POST")
    status, _, data = call_asgi(app, "POST", "/receive_module_addresses", chunks=[b'{"module": 1}'])
    assert (status, json.loads(data)) == (400, {"error": "module: expected a string, got 1"})


def test_the_asgi_middleware_refuses_a_body_over_4_mib():
    app = AsgiAddresses(fallback_app, addresses=Addresses())
    status, _, data = call_asgi(app, "POST", "/receive_module_addresses", chunks=[b" " * (4 * 1024 * 1024), b"  "])
    assert status == 413 and b"more than 4194304" in data


def test_the_asgi_middleware_passes_lifespan_on():
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])

    asyncio.run(AsgiAddresses(app)({"type": "lifespan"}, None, None))
    assert seen == ["lifespan"]


def test_a_starlette_route_serves_the_endpoint():
    from starlette.applications import Starlette

    store = Addresses()
    app = Starlette(routes=[addresses_route(store)])

    status, _, data = call_asgi(app, "POST", "/receive_module_addresses", chunks=[body({"module": "a", "hosts": []})])
    assert (status, json.loads(data)) == (200, {"ok": True})
    assert call_asgi(app, "POST", "/receive_module_addresses", chunks=[b"[]"])[0] == 400
    assert call_asgi(app, "GET", "/receive_module_addresses")[0] == 405
    assert store.get("a") == []


# ---- WSGI ----

def call_wsgi(app, method, path, data=b"", content_type=JSON, length=True):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "CONTENT_TYPE": content_type,
               "wsgi.input": io.BytesIO(data)}
    if length:
        environ["CONTENT_LENGTH"] = str(len(data))
    started = {}

    def start_response(status, headers):
        started.update(status=status, headers=dict(headers))

    result = b"".join(app(environ, start_response))
    return started["status"], started["headers"], result


def test_the_wsgi_middleware_answers_the_path_and_passes_everything_else_on():
    store = Addresses()
    app = WsgiAddresses(lambda environ, start: (start("200 OK", []), [b"app"])[1], addresses=store)

    assert call_wsgi(app, "POST", "/receive_module_addresses", body({"module": "auth", "hosts": ["a:1"]}))[:1] == (
        "200 OK",)
    assert store.get("auth") == ["a:1"]
    assert call_wsgi(app, "GET", "/x")[2] == b"app"
    assert call_wsgi(app, "POST", "/receive_module_addresses", b"{}")[0] == "400 Bad Request"
    assert call_wsgi(app, "POST", "/receive_module_addresses", b"{}", content_type="text/plain")[0] == (
        "415 Unsupported Media Type")
    assert call_wsgi(app, "POST", "/receive_module_addresses", b"{}", length=False)[0] == "411 Length Required"
    status, headers, _ = call_wsgi(app, "PUT", "/receive_module_addresses")
    assert (status, headers["Allow"]) == ("405 Method Not Allowed", "POST")


# ---- http.server ----

def test_the_http_server_mixin_answers_before_the_handlers_own_do_post():
    store = Addresses()

    class Handler(AddressesHandlerMixin, BaseHTTPRequestHandler):
        addresses = store
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)

        def post(path, data, content_type=JSON):
            connection.request("POST", path, data, {"Content-Type": content_type})
            response = connection.getresponse()
            return response.status, response.read()

        # one keep-alive connection throughout: the endpoint leaves it usable
        assert post("/receive_module_addresses", body({"module": "auth", "hosts": ["a:1"]})) == (200, b'{"ok": true}')
        assert post("/receive_module_addresses?x=1", b'{"module": "auth"}') == (
            400, b'{"error": "hosts: required key is missing"}')
        assert post("/elsewhere", b"") == (201, b"")
        assert store.get("auth") == ["a:1"]
        connection.request("GET", "/receive_module_addresses")
        response = connection.getresponse()
        assert (response.status, response.getheader("Allow")) == (405, "POST")
    finally:
        server.shutdown()
        server.server_close()
