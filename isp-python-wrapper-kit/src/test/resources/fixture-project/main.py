"""Test fixture: a Python service whose behaviour is chosen by its config (CONFIG_FILE).

Config keys (all optional):
  exitCode      exit with this code right after start
  bindDelay     seconds to wait before listening on BINDING_ADDRESS
  ignoreTerm    ignore SIGTERM
  grandchildren list of "ignore" (child ignoring SIGTERM), "setsid" (child in a new session ignoring
                SIGTERM), "daemon" (double-forked child in a new session ignoring SIGTERM), "orphan"
                (double-forked child in a new session that exits with code 5 after orphanLifetime seconds,
                default 1.5: its parent is gone, so it is reparented — to the host, its subreaper) or "recordTerm"
                (child in the group that records "grandchild-ready" once its handler is installed, and a
                "grandchild-sigterm" event on SIGTERM, then exits)
  escapeOnTerm  seconds after a SIGTERM: then start a process in a new session that ignores SIGTERM (recorded
                as an "escaped" event with its pid), and exit
  termLinger    seconds to stay after the first SIGTERM, so that a second one would be seen (each SIGTERM
                is recorded with its count)
  addressStatus HTTP status answered to POST /receive_module_addresses (default 200)
  exitAfter     exit with code 1 this many seconds after listening
  neverReady    with NOTIFY_SOCKET: never send READY=1 (otherwise it is sent once listening)

With LISTEN_FDS=1 it serves the host's socket (fd 3) instead of binding BINDING_ADDRESS; "listening" then
records inherited=true.

The "started" event carries the config as parsed (floats: 1e400 becomes Infinity) and as the exact text read
(configText). Every event is appended as one JSON line to $FIXTURE_LOG, and also sent as a UDP datagram to
$FIXTURE_NOTIFY (host:port) when that is set, so a benchmark can wait without polling.
"""
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = os.environ.get("FIXTURE_LOG", "fixture.log")
NOTIFY = os.environ.get("FIXTURE_NOTIFY")
LOCK = threading.RLock()  # re-entrant: a signal handler may record while the main thread records


def record(event, **fields):
    fields["event"] = event
    fields["pid"] = os.getpid()
    fields["monotonicNs"] = time.monotonic_ns()
    fields["wallNs"] = time.time_ns()
    line = json.dumps(fields)
    with LOCK, open(LOG, "a", encoding="utf-8") as f:
        f.write(line + "\n")
    if NOTIFY:
        host, _, port = NOTIFY.rpartition(":")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(line.encode(), (host, int(port)))


IGNORE_TERM = "import signal,time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"
DAEMON = ("import os,signal,time\n"
          "if os.fork() == 0:\n"
          "    os.setsid()\n"
          "    if os.fork() == 0:\n"
          "        signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
          "        open(os.environ['DAEMON_PID_FILE'], 'w').write(str(os.getpid()))\n"
          "        time.sleep(600)\n"
          "    os._exit(0)\n"
          "os.wait()\n")

ORPHAN = ("import os,sys,time\n"
          "if os.fork() == 0:\n"
          "    os.setsid()\n"
          "    if os.fork() == 0:\n"
          "        open(sys.argv[1], 'w').write(str(os.getpid()))\n"
          "        time.sleep(float(sys.argv[2]))\n"
          "        os._exit(5)\n"
          "    os._exit(0)\n"
          "os.wait()\n")


RECORD_TERM = ("import json,os,signal,time\n"
               "def note(event):\n"
               "    with open(os.environ['FIXTURE_LOG'], 'a') as f:\n"
               "        f.write(json.dumps({'event': event, 'pid': os.getpid()}) + '\\n')\n"
               "def on_term(*_):\n"
               "    note('grandchild-sigterm')\n"
               "    os._exit(0)\n"
               "signal.signal(signal.SIGTERM, on_term)\n"
               "note('grandchild-ready')\n"
               "time.sleep(600)\n")


def spawn(kind, config=None):
    # Without the host's stdout and stderr: a grandchild left behind by a defect must not keep the test
    # runner's pipes open (it would wait for them) — the test says what was left.
    quiet = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    if kind == "recordTerm":
        return subprocess.Popen([sys.executable, "-c", RECORD_TERM], **quiet).pid
    if kind == "ignore":
        return subprocess.Popen([sys.executable, "-c", IGNORE_TERM], **quiet).pid
    if kind == "setsid":
        return subprocess.Popen([sys.executable, "-c", IGNORE_TERM], start_new_session=True, **quiet).pid
    if kind == "daemon":
        pid_file = os.path.abspath(f"daemon-{os.getpid()}.pid")
        env = dict(os.environ, DAEMON_PID_FILE=pid_file)
        subprocess.run([sys.executable, "-c", DAEMON], env=env, check=True, **quiet)
        for _ in range(100):
            if os.path.exists(pid_file) and open(pid_file).read():
                return int(open(pid_file).read())
            time.sleep(0.02)
        raise RuntimeError("daemon did not start")
    if kind == "orphan":
        pid_file = os.path.abspath(f"orphan-{os.getpid()}-{time.monotonic_ns()}.pid")
        lifetime = str((config or {}).get("orphanLifetime", 1.5))
        subprocess.run([sys.executable, "-c", ORPHAN, pid_file, lifetime], check=True, **quiet)
        for _ in range(100):
            if os.path.exists(pid_file) and open(pid_file).read():
                return int(open(pid_file).read())
            time.sleep(0.02)
        raise RuntimeError("orphan did not start")
    raise ValueError(kind)


TERMS = [0]
LINGER = [0]
ESCAPE = [None]


def on_sigterm(*_):
    TERMS[0] += 1
    record("sigterm", count=TERMS[0])
    if ESCAPE[0] is not None:
        time.sleep(ESCAPE[0])
        record("escaped", escapedPid=spawn("setsid"))
    if TERMS[0] == 1 and LINGER[0]:
        time.sleep(LINGER[0])  # a second SIGTERM meanwhile runs this handler again, and is recorded
    os._exit(0)


def main():
    config_file = os.environ["CONFIG_FILE"]
    binding = os.environ["BINDING_ADDRESS"]
    with open(config_file, encoding="utf-8") as f:
        config_text = f.read()
    config = json.loads(config_text)
    mode = oct(stat.S_IMODE(os.stat(config_file).st_mode))
    if config.get("ignoreTerm"):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    else:
        LINGER[0] = config.get("termLinger", 0)
        ESCAPE[0] = config.get("escapeOnTerm")
        signal.signal(signal.SIGTERM, on_sigterm)
    descriptors = {}
    for fd in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else []:
        try:
            descriptors[fd] = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            pass
    signals = {}
    if os.path.exists("/proc/self/status"):
        with open("/proc/self/status", encoding="ascii") as f:
            signals = {k: v.strip() for k, v in (line.split(":", 1) for line in f) if k in ("SigBlk", "SigIgn")}
    children = [spawn(kind, config) for kind in config.get("grandchildren", [])]
    record("started", pgid=os.getpgid(0), sid=os.getsid(0), ppid=os.getppid(), binding=binding,
           configFile=config_file, configMode=mode, config=config, configText=config_text, children=children,
           cwd=os.getcwd(), childId=os.environ.get("PYWRAPPER_CHILD_ID"), descriptors=descriptors, signals=signals,
           listenFds=os.environ.get("LISTEN_FDS"),
           unbuffered=os.environ.get("PYTHONUNBUFFERED"))
    if "exitCode" in config:
        sys.exit(config["exitCode"])
    time.sleep(config.get("bindDelay", 0))

    status = config.get("addressStatus", 200)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/receive_module_addresses":
                payload = json.loads(body)
                record("addresses", module=payload["module"], hosts=payload["hosts"],
                       contentType=self.headers.get("Content-Type"), status=status)
            self.send_response(status if self.path == "/receive_module_addresses" else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):
            data = json.dumps({"pid": os.getpid(), "config": config}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    host, _, port = binding.rpartition(":")
    inherited = os.environ.get("LISTEN_FDS") == "1"
    if inherited:
        server = ThreadingHTTPServer((host.strip("[]"), int(port)), Handler, bind_and_activate=False)
        server.socket.close()
        server.socket = socket.socket(fileno=3)
    else:
        server = ThreadingHTTPServer((host.strip("[]"), int(port)), Handler)
    record("listening", inherited=inherited)
    if os.environ.get("NOTIFY_SOCKET") and not config.get("neverReady"):
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
            notify.sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
        record("notified")
    if "exitAfter" in config:
        threading.Timer(config["exitAfter"], lambda: (record("exiting"), os._exit(1))).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
