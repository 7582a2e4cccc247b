"""BINDING_ADDRESS, fd 3 (LISTEN_FDS) and NOTIFY_SOCKET: what the host hands the child."""

import os
import socket
import subprocess
import sys
import tempfile

import pytest

import isp_wrapper
from isp_wrapper import BindingAddress, BindingError


@pytest.mark.parametrize("value, expected", [
    ("127.0.0.1:9003", ("127.0.0.1", 9003)),
    ("[::]:9003", ("::", 9003)),
    ("[fe80::1%eth0]:80", ("fe80::1%eth0", 80)),
    ("localhost:0", ("localhost", 0)),
    (":9003", ("", 9003)),
    (" 10.0.0.5:65535 ", ("10.0.0.5", 65535)),
])
def test_binding_address_is_parsed_with_ipv6_hosts_in_brackets(value, expected):
    address = isp_wrapper.binding_address({"BINDING_ADDRESS": value})

    assert address == BindingAddress(*expected)
    assert str(address) == value.strip()


@pytest.mark.parametrize("value, message", [
    ("", "BINDING_ADDRESS is not set: the host (isp-python-wrapper) sets it"),
    ("9003", "BINDING_ADDRESS must be host:port (an IPv6 host in brackets, e.g. [::1]:9003), got '9003'"),
    ("::1:9003", "BINDING_ADDRESS must be host:port (an IPv6 host in brackets, e.g. [::1]:9003), got '::1:9003'"),
    ("[::1]9003", "BINDING_ADDRESS must be host:port"),
    ("[]:9003", "BINDING_ADDRESS must be host:port"),
    ("host:http", "BINDING_ADDRESS: the port must be a number from 0 to 65535, got 'host:http'"),
    ("host:70000", "BINDING_ADDRESS: the port must be a number from 0 to 65535, got 'host:70000'"),
])
def test_a_wrong_binding_address_is_an_error_naming_the_variable(value, message):
    with pytest.raises(BindingError) as raised:
        isp_wrapper.binding_address({"BINDING_ADDRESS": value})

    assert str(raised.value).startswith(message)


PROBE = """
import json, os, socket, isp_wrapper
try:
    sock = isp_wrapper.inherited_socket()
except isp_wrapper.BindingError as e:
    print(json.dumps({"error": str(e)}))
else:
    print(json.dumps({
        "fd": None if sock is None else sock.fileno(),
        "same": sock is isp_wrapper.inherited_socket(),
        "family": None if sock is None else sock.family.name,
        "inheritable": None if sock is None else os.get_inheritable(3),
        "env": [os.environ.get(n) for n in ("LISTEN_FDS", "LISTEN_FDNAMES", "LISTEN_PID")],
    }))
"""


def probe(env, fd3=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LISTEN_")}
    environment.update(env)
    kwargs = {}
    if fd3 is not None:
        kwargs = {"pass_fds": (3,), "preexec_fn": lambda: os.dup2(fd3.fileno(), 3)}
    out = subprocess.run([sys.executable, "-c", PROBE], env=environment, capture_output=True, check=True,
                         timeout=30, **kwargs)
    import json
    return json.loads(out.stdout)


def test_fd_3_is_taken_over_once_and_not_passed_on(listening_socket):
    result = probe({"LISTEN_FDS": "1", "LISTEN_FDNAMES": "http", "LISTEN_PID": "1"}, listening_socket)

    assert result == {"fd": 3, "same": True, "family": "AF_INET", "inheritable": False, "env": [None, None, None]}


def test_without_listen_fds_there_is_no_inherited_socket():
    assert probe({})["fd"] is None


def test_fd_3_that_does_not_listen_is_an_error():
    with socket.socket() as connected_not:  # a socket, not listening
        assert probe({"LISTEN_FDS": "1"}, connected_not) == {
            "error": "LISTEN_FDS=1 but fd 3 is not a listening TCP socket"}


def test_a_missing_fd_3_is_an_error():
    assert probe({"LISTEN_FDS": "1"})["error"].startswith("LISTEN_FDS=1 but fd 3 is not a socket")


@pytest.mark.parametrize("value, message", [
    ("2", "LISTEN_FDS=2: one listening socket (fd 3) is supported"),
    ("yes", "LISTEN_FDS must be the number of passed sockets (1), got 'yes'"),
])
def test_a_wrong_listen_fds_is_an_error(value, message):
    assert probe({"LISTEN_FDS": value}) == {"error": message}


def test_notify_ready_sends_ready_1_to_notify_socket(monkeypatch):
    with tempfile.TemporaryDirectory(dir="/tmp") as folder, socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as host:
        path = os.path.join(folder, "notify")
        host.bind(path)
        monkeypatch.setenv("NOTIFY_SOCKET", path)

        assert isp_wrapper.notify_ready() is True
        assert host.recv(64) == b"READY=1"


def test_notify_ready_reaches_an_abstract_socket(monkeypatch):
    name = f"isp-wrapper-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as host:
        host.bind("\0" + name)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)

        assert isp_wrapper.notify_ready() is True
        assert host.recv(64) == b"READY=1"


def test_notify_ready_without_notify_socket_does_nothing(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert isp_wrapper.notify_ready() is False


def test_notify_ready_to_a_socket_that_is_gone_is_logged(monkeypatch, caplog):
    monkeypatch.setenv("NOTIFY_SOCKET", "/tmp/isp-wrapper-no-such-socket")

    assert isp_wrapper.notify_ready() is False
    assert "cannot send READY=1 to NOTIFY_SOCKET=/tmp/isp-wrapper-no-such-socket" in caplog.text


def test_notify_ready_to_a_relative_path_is_logged(monkeypatch, caplog):
    monkeypatch.setenv("NOTIFY_SOCKET", "notify")

    assert isp_wrapper.notify_ready() is False
    assert "NOTIFY_SOCKET must be an absolute path or an abstract socket name (@name), got 'notify'" in caplog.text
