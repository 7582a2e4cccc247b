"""isp_wrapper.serve_http(Handler): the standard library's HTTP server on the host's terms, as a real process."""

import json
import signal
import socket
import time

import pytest
from conftest import handover_through_backlog, read_to_end

SERVICE = """
    import json, os, time
    from http.server import BaseHTTPRequestHandler
    import isp_wrapper

    config = isp_wrapper.config(parse_float=float)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = os.environ.get("PROTOCOL", "HTTP/1.0")

        def do_GET(self):
            if self.path.startswith("/slow/"):
                print("slow started", flush=True)
                time.sleep(float(self.path.split("/")[2]))
            data = json.dumps({"pid": os.getpid(), "path": self.path, "config": config,
                               "addresses": isp_wrapper.addresses.all(),
                               "listenFds": os.environ.get("LISTEN_FDS")}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):
            pass

    isp_wrapper.serve_http(Handler, grace=float(os.environ.get("GRACE", "4")),
                           on_ready=lambda: print("on_ready", flush=True))
    print("serve_http returned", flush=True)
"""


def test_ready_is_sent_once_it_serves(run_service):
    service = run_service(SERVICE, config='{"greeting": "hi"}')

    assert service.await_ready() == b"READY=1"
    status, data = service.get("/")

    assert status == 200 and json.loads(data)["config"] == {"greeting": "hi"}
    service.signal()
    assert service.wait() == 0
    assert "serve_http returned" in service.output()


def test_sigterm_during_a_slow_request_lets_it_finish_refuses_new_connections_and_exits_0(run_service, slow):
    service = run_service(SERVICE)
    service.await_ready()
    request = slow(service, "/slow/2.0")
    service.await_line("slow started")

    service.signal(signal.SIGTERM)
    assert service.refused_within(1.5), "still accepting connections 1.5 s after SIGTERM"
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((service.host, service.port), timeout=2).close()

    status, data = request.join()
    assert status == 200 and json.loads(data)["path"] == "/slow/2.0"
    assert service.wait() == 0
    assert "Traceback" not in service.output()


def test_a_connection_accepted_just_before_sigterm_still_gets_its_answer(run_service):
    service = run_service(SERVICE)
    service.await_ready()
    connection = socket.create_connection((service.host, service.port), timeout=5)
    time.sleep(0.2)

    service.signal()
    time.sleep(0.15)
    connection.sendall(b"GET /late HTTP/1.0\r\n\r\n")
    answer = read_to_end(connection)
    connection.close()

    assert answer.startswith(b"HTTP/1.0 200") and b'"path": "/late"' in answer
    assert service.wait() == 0


def test_keep_alive_connections_end_after_their_current_response(run_service, slow):
    service = run_service(SERVICE, env={"PROTOCOL": "HTTP/1.1"})
    service.await_ready()
    idle = service.connection()
    idle.request("GET", "/")
    assert idle.getresponse().read()  # now idle, kept alive
    busy = service.connection()
    busy.request("GET", "/slow/0.8")
    service.await_line("slow started")

    service.signal()
    response = busy.getresponse()

    assert response.status == 200 and response.getheader("Connection") == "close"
    assert json.loads(response.read())["path"] == "/slow/0.8"
    assert service.wait() == 0
    idle.sock.settimeout(1)
    assert idle.sock.recv(1) == b""  # the idle one was closed


def test_requests_still_running_after_the_grace_period_are_left_and_it_exits_0(run_service, slow):
    service = run_service(SERVICE, env={"GRACE": "0.5"})
    service.await_ready()
    request = slow(service, "/slow/10")
    service.await_line("slow started")

    started = time.monotonic()
    service.signal()

    assert service.wait() == 0
    assert time.monotonic() - started < 3
    assert not isinstance(request.join(), tuple)


def test_it_serves_the_inherited_socket_and_a_connection_waiting_in_the_backlog_reaches_the_next_process(
        run_service, listening_socket):
    request = b"GET /queued HTTP/1.0\r\n\r\n"
    first_answer, answer = handover_through_backlog(run_service, listening_socket, SERVICE, request)

    assert json.loads(first_answer)["listenFds"] is None  # taken over: not passed on
    assert answer.startswith(b"HTTP/1.0 200") and b'"config": {"v": 2}' in answer


def test_it_listens_on_an_ipv6_binding_address_and_answers_receive_module_addresses(run_service):
    try:
        socket.socket(socket.AF_INET6).bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    service = run_service(SERVICE, host="::1")
    service.await_ready()
    connection = service.connection()
    connection.request("POST", "/receive_module_addresses", b'{"module": "auth", "hosts": ["[fd00::1]:9003"]}',
                       {"Content-Type": "application/json"})
    response = connection.getresponse()
    assert (response.status, json.loads(response.read())) == (200, {"ok": True})
    connection.close()
    connection = service.connection()
    connection.request("POST", "/receive_module_addresses", b'{"module": "auth"}', {"Content-Type": "application/json"})
    response = connection.getresponse()
    assert (response.status, json.loads(response.read())) == (400, {"error": "hosts: required key is missing"})
    connection.close()

    assert json.loads(service.get("/")[1])["addresses"] == {"auth": ["[fd00::1]:9003"]}
    service.signal()
    assert service.wait() == 0
