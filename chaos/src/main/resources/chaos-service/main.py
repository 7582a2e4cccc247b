"""The chaos runner's Python service: it serves HTTP and records everything it sees.

Each event is appended as one JSON line to $CHAOS_LOG with the process's pid, ppid, child id
(PYWRAPPER_CHILD_ID) and wall-clock time: "started" (the config file's path and exact text, the process group,
the grandchildren spawned, and every other process carrying a different PYWRAPPER_CHILD_ID that was alive at
this moment: a child of an earlier host, or an earlier child of this one), "listening", "notified" (READY=1
sent), "addresses" (a POST /receive_module_addresses), "sigterm", "stopped" (after a graceful stop: the
listening socket closed and every request in flight answered), "grandchild" (a grandchild's own start),
"crashed" (an error, e.g. the port taken before the bind: recorded instead of a traceback, which would be a line
that is no JSON amid the host's log).

GET / answers {"pid", "v", "served"} (v: the config's "v", served: requests this process answered).

Config keys that change the behaviour (the runner's faults): exitCode (exit at once with it: a crash at start),
bindDelay (seconds before listening: a child that never binds), exitAfter (exit 1 this many seconds after
listening), neverReady (with NOTIFY_SOCKET: never send READY=1), grandchildren (a list of "group" — a process
in the child's group that exits on SIGTERM — and "setsid" — a process in a session of its own that ignores
SIGTERM and must be swept by the host).
"""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = os.environ["CHAOS_LOG"]
CHILD_ID = os.environ.get("PYWRAPPER_CHILD_ID", "")
LOCK = threading.RLock()


def start_ticks(pid):
    """Field 22 of /proc/<pid>/stat: the start time in clock ticks after boot (with the pid, it names one process)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            stat = f.read()
        return int(stat[stat.rindex(")") + 2:].split()[19])
    except (OSError, ValueError, IndexError):
        return -1


START_TICKS = start_ticks("self")


def record(event, **fields):
    ppid = os.getppid()
    fields.update(event=event, pid=os.getpid(), startTicks=START_TICKS, ppid=ppid, ppidStartTicks=start_ticks(ppid),
                  childId=CHILD_ID, wallNs=time.time_ns())
    line = json.dumps(fields) + "\n"
    with LOCK:
        fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)


def others():
    """Live processes (zombies excluded) that carry a PYWRAPPER_CHILD_ID other than this process's."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="utf-8", errors="replace") as f:
                stat = f.read()
            with open(f"/proc/{name}/environ", "rb") as f:
                environ = f.read().split(b"\0")
        except OSError:
            continue
        state = stat[stat.rindex(")") + 2]
        if state in "ZX":
            continue
        for entry in environ:
            if entry.startswith(b"PYWRAPPER_CHILD_ID="):
                child_id = entry.split(b"=", 1)[1].decode(errors="replace")
                if child_id != CHILD_ID:
                    found.append({"pid": int(name), "startTicks": int(stat[stat.rindex(")") + 2:].split()[19]),
                                  "childId": child_id, "state": state,
                                  "command": stat[stat.index("(") + 1:stat.rindex(")")]})
    return found


GROUP = ("import json,os,signal,sys,time\n"
         "sys.path.insert(0, os.environ['CHAOS_SERVICE_DIR'])\n"
         "import main\n"
         "def on_term(*_):\n"
         "    main.record('sigterm', kind='group')\n"
         "    os._exit(0)\n"
         "signal.signal(signal.SIGTERM, on_term)\n"
         "main.record('grandchild', kind='group')\n"
         "while True: time.sleep(3600)\n")
SETSID = ("import os,signal,sys,time\n"
          "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
          "sys.path.insert(0, os.environ['CHAOS_SERVICE_DIR'])\n"
          "import main\n"
          "main.record('grandchild', kind='setsid')\n"
          "while True: time.sleep(3600)\n")


def spawn(kind):
    quiet = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    env = dict(os.environ, CHAOS_SERVICE_DIR=os.path.dirname(os.path.abspath(__file__)))
    if kind == "group":
        return subprocess.Popen([sys.executable, "-c", GROUP], env=env, **quiet).pid
    if kind == "setsid":
        return subprocess.Popen([sys.executable, "-c", SETSID], env=env, start_new_session=True, **quiet).pid
    raise ValueError(kind)


class Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() waits for the requests in flight: a graceful stop
    block_on_close = True

    def handle_error(self, request, client_address):
        pass  # a client that gave up: nothing to print (the host's output must stay JSON lines)


def main():
    config_file = os.environ["CONFIG_FILE"]
    binding = os.environ["BINDING_ADDRESS"]
    with open(config_file, encoding="utf-8") as f:
        config_text = f.read()
    config = json.loads(config_text)
    server_box = []

    def on_sigterm(*_):
        record("sigterm", kind="main")
        if server_box:
            threading.Thread(target=server_box[0].shutdown, daemon=True).start()
        else:
            os._exit(0)

    signal.signal(signal.SIGTERM, on_sigterm)
    children = [spawn(kind) for kind in config.get("grandchildren", [])]
    record("started", pgid=os.getpgid(0), configFile=config_file, configText=config_text, children=children,
           others=others(), listenFds=os.environ.get("LISTEN_FDS"),
           notify=bool(os.environ.get("NOTIFY_SOCKET")))
    if "exitCode" in config:
        os._exit(config["exitCode"])
    time.sleep(config.get("bindDelay", 0))

    served = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/receive_module_addresses":
                payload = json.loads(body)
                record("addresses", module=payload["module"], hosts=payload["hosts"])
                self.send_response(200)
            else:
                self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):
            with LOCK:
                served[0] += 1
                count = served[0]
            data = json.dumps({"pid": os.getpid(), "v": config.get("v"), "served": count}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    host, _, port = binding.rpartition(":")
    inherited = os.environ.get("LISTEN_FDS") == "1"
    if inherited:
        server = Server((host.strip("[]"), int(port)), Handler, bind_and_activate=False)
        server.socket.close()
        server.socket = socket.socket(fileno=3)
    else:
        server = Server((host.strip("[]"), int(port)), Handler)
    server_box.append(server)
    record("listening", inherited=inherited)
    if os.environ.get("NOTIFY_SOCKET") and not config.get("neverReady"):
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
            notify.sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
        record("notified")
    if "exitAfter" in config:
        threading.Timer(config["exitAfter"], lambda: os._exit(1)).start()
    server.serve_forever(poll_interval=0.05)
    server.server_close()
    record("stopped", served=served[0])
    os._exit(0)


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # e.g. the port taken between the host's check and our bind: an event, no traceback
        record("crashed", error=repr(error))
        os._exit(1)
