"""isp_wrapper.serve(app): uvicorn on the host's terms, as a real process — bind and fd 3, READY=1 once serving,
a drain on SIGTERM that loses no request, exit code 0."""

import json
import signal
import socket
import time

import pytest
from conftest import handover_through_backlog, read_to_end

# A plain ASGI app: "/" answers at once, "/slow/<seconds>" after a while (saying "slow started" when it begins),
# "/addresses" shows isp_wrapper.addresses. Lifespan startup waits STARTUP_DELAY seconds.
SERVICE = """
    import asyncio, json, os, sys
    import isp_wrapper

    config = isp_wrapper.config(parse_float=float)

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await asyncio.sleep(float(os.environ.get("STARTUP_DELAY", "0")))
                    print("startup done", flush=True)
                    await send({"type": "lifespan.startup.complete"})
                else:
                    print("lifespan shutdown", flush=True)
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        path = scope["path"]
        if path.startswith("/slow/"):
            print("slow started", flush=True)
            await asyncio.sleep(float(path.split("/")[2]))
        payload = {"pid": os.getpid(), "path": path, "config": config, "addresses": isp_wrapper.addresses.all(),
                   "listenFds": os.environ.get("LISTEN_FDS")}
        data = json.dumps(payload).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data})

    isp_wrapper.serve(app, grace=float(os.environ.get("GRACE", "4")), access_log=False,
                      log_format=os.environ.get("FORMAT") or None,
                      on_ready=lambda: print("on_ready", flush=True))
    print("serve returned", flush=True)
"""


def test_ready_is_sent_once_it_serves_and_the_app_answers_on_binding_address(run_service):
    service = run_service(SERVICE, config='{"greeting": "hi", "ratio": 0.5}', env={"STARTUP_DELAY": "0.3"})

    assert service.await_ready() == b"READY=1"
    status, data = service.get("/")  # at once: READY=1 means serving

    assert status == 200
    assert json.loads(data)["config"] == {"greeting": "hi", "ratio": 0.5}
    lines = service.output().splitlines()
    assert lines.index("startup done") < lines.index("on_ready")
    service.signal()
    assert service.wait() == 0


def test_sigterm_during_a_slow_request_lets_it_finish_refuses_new_connections_and_exits_0(run_service, slow):
    service = run_service(SERVICE)
    service.await_ready()
    request = slow(service, "/slow/2.0")
    service.await_line("slow started")

    service.signal(signal.SIGTERM)
    assert service.refused_within(1.5), "still accepting connections 1.5 s after SIGTERM"
    with pytest.raises(ConnectionRefusedError):  # bind mode: it stopped accepting
        socket.create_connection((service.host, service.port), timeout=2).close()

    status, data = request.join()
    assert status == 200 and json.loads(data)["path"] == "/slow/2.0"
    assert service.wait() == 0
    output = service.output()
    assert "lifespan shutdown" in output and "serve returned" in output and "Traceback" not in output


def test_a_connection_accepted_just_before_sigterm_still_gets_its_answer(run_service):
    service = run_service(SERVICE)
    service.await_ready()
    connection = socket.create_connection((service.host, service.port), timeout=5)
    time.sleep(0.2)  # accepted by the server, no request yet

    service.signal()
    time.sleep(0.15)  # the stop has begun: uvicorn alone would close this connection as idle
    connection.sendall(b"GET /late HTTP/1.1\r\nHost: x\r\n\r\n")
    answer = read_to_end(connection)
    connection.close()

    assert answer.startswith(b"HTTP/1.1 200") and b'"path": "/late"' in answer
    assert service.wait() == 0


def test_requests_still_running_after_the_grace_period_are_cut_and_it_exits_0(run_service, slow):
    service = run_service(SERVICE, env={"GRACE": "0.5"})
    service.await_ready()
    request = slow(service, "/slow/10")
    service.await_line("slow started")

    started = time.monotonic()
    service.signal()

    assert service.wait() == 0
    assert time.monotonic() - started < 3
    result = request.join()  # cancelled: uvicorn answers 500 (or drops the connection)
    assert not isinstance(result, tuple) or result[0] == 500, result


def test_it_serves_the_inherited_socket_and_a_connection_waiting_in_the_backlog_reaches_the_next_process(
        run_service, listening_socket):
    request = b"GET /queued HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    first_answer, answer = handover_through_backlog(run_service, listening_socket, SERVICE, request)

    assert json.loads(first_answer)["listenFds"] is None  # taken over: not passed on
    assert answer.startswith(b"HTTP/1.1 200") and b'"config": {"v": 2}' in answer


def test_it_listens_on_an_ipv6_binding_address(run_service):
    try:
        socket.socket(socket.AF_INET6).bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    service = run_service(SERVICE, host="::1")
    service.await_ready()

    assert service.get("/")[0] == 200
    service.signal()
    assert service.wait() == 0


def test_it_answers_receive_module_addresses_strictly(run_service):
    service = run_service(SERVICE)
    service.await_ready()
    connection = service.connection()

    def post(data, content_type="application/json"):
        connection.request("POST", "/receive_module_addresses", data, {"Content-Type": content_type})
        response = connection.getresponse()
        return response.status, json.loads(response.read())

    assert post(b'{"module": "isp-auth-service", "hosts": ["10.0.0.1:9003"]}') == (200, {"ok": True})
    assert post(b'{"module": "isp-auth-service", "hosts": [1]}') == (
        400, {"error": 'hosts[0]: expected a "host:port" string, got 1'})
    assert post(b"{}", "text/plain")[0] == 415
    connection.close()
    assert json.loads(service.get("/")[1])["addresses"] == {"isp-auth-service": ["10.0.0.1:9003"]}
    service.signal()
    assert service.wait() == 0


def test_sigterm_before_it_serves_stops_it_without_ready(run_service):
    service = run_service(SERVICE, env={"STARTUP_DELAY": "1"})
    time.sleep(0.5)  # in the app's lifespan startup

    service.signal()

    assert service.wait() == 0
    service.notify.settimeout(0.2)
    with pytest.raises(socket.timeout):
        service.notify.recv(64)
    assert "on_ready" not in service.output()


def test_json_logs_in_the_hosts_format(run_service):
    service = run_service(SERVICE, env={"FORMAT": "json"})
    service.await_ready()
    service.signal()
    assert service.wait() == 0

    logs = [json.loads(line) for line in service.output().splitlines() if line.startswith("{")]
    assert logs, service.output()
    for log in logs:
        assert list(log)[:6] == ["time", "message", "logger", "thread", "level", "pid"]
        assert log["time"].endswith("Z") and len(log["time"]) == len("2026-11-28T11:00:02.366234503Z")
    messages = [log["message"] for log in logs]
    assert any(m.startswith("Started server process") for m in messages)  # uvicorn's own line, as JSON
    assert any(m.startswith("serving 127.0.0.1:") for m in messages)
    assert any(m.startswith("stopping: finishing 0 request(s) in flight") for m in messages)


def test_a_missing_binding_address_is_an_error_naming_it(run_service):
    service = run_service(SERVICE, env={"BINDING_ADDRESS": ""})

    assert service.wait() == 1
    assert "isp_wrapper._errors.BindingError: BINDING_ADDRESS is not set" in service.output()
