#!/usr/bin/env python3
"""Installs a pinned uv into a project-local folder, for scripts/with-tools. Standard library only, Python >= 3.8.

    install-uv.py VERSION DEST     ->  DEST/uv (and DEST/uvx)

Nothing is installed into the Python running this script, so it works with an "externally managed" system Python
(PEP 668) too. The uv wheel for this platform comes from `python -m pip download` (the user's pip configuration and
mirrors apply) or, when pip is missing or fails, straight from PyPI (sha256 checked). The binaries are taken out of
the wheel (a zip: uv-VERSION.data/scripts/uv), checked with `uv --version` and moved to DEST in one rename.

Exit codes: 0 installed; 3 failed, and the last line on stderr (prefix `with-tools:`) says why.
"""
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile

PYPI_JSON = "https://pypi.org/pypi/uv/{version}/json"
PYPI_SIMPLE = "https://pypi.org/simple/uv/"
MANUAL = "https://docs.astral.sh/uv/getting-started/installation/"
BINARIES = ("uv", "uvx")
FAILED = 3


class Failure(Exception):
    """A failure with a one-line cause."""


def say(message):
    print("with-tools: " + message, file=sys.stderr, flush=True)


def python_name():
    return "%s (Python %d.%d.%d)" % ((sys.executable or "python",) + tuple(sys.version_info[:3]))


def one_line(text, limit=300):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


# --- the wheel, with pip -------------------------------------------------------------------------------------------

def pip_download(version, into):
    """Downloads the wheel with pip; returns its path, or raises Failure (pip's output is printed first)."""
    try:
        import importlib.util
        if importlib.util.find_spec("pip") is None:
            raise Failure("pip is not installed for this Python")
    except ImportError as e:
        raise Failure("pip cannot be imported (%s)" % one_line(e))
    env = dict(os.environ)
    env["PIP_REQUIRE_VIRTUALENV"] = "0"  # a download installs nothing
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--dest", into,
               "uv==" + version]
    try:
        result = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=env, timeout=900)
    except subprocess.TimeoutExpired:
        raise Failure("`pip download` did not finish in 15 minutes")
    except OSError as e:
        raise Failure("cannot start pip (%s)" % one_line(e))
    output = result.stdout.decode("utf-8", "replace")
    if result.returncode != 0:
        lines = [line for line in output.splitlines() if line.strip()]
        if lines:
            sys.stderr.write("".join("  pip: %s\n" % one_line(line, 200) for line in lines[-15:]))
        errors = [line for line in lines if line.lstrip().startswith("ERROR:")]
        cause = (errors or lines or ["no output"])[-1]
        raise Failure("`pip download` failed with exit code %d: %s" % (result.returncode, one_line(cause)))
    wheels = [name for name in os.listdir(into) if name.startswith("uv-") and name.endswith(".whl")]
    if len(wheels) != 1:
        raise Failure("`pip download` left %s in its folder instead of one uv wheel" % (wheels or "nothing"))
    return os.path.join(into, wheels[0])


# --- the wheel, from PyPI ------------------------------------------------------------------------------------------

def fetch(url, accept=None):
    request = urllib.request.Request(url, headers={"User-Agent": "isp-python-wrapper-install-uv"})
    if accept:
        request.add_header("Accept", accept)
    return urllib.request.urlopen(request, timeout=60)


def pypi_files(version):
    """(filename, url, sha256) of every file of uv VERSION: PyPI's JSON API, else its simple JSON index."""
    problems = []
    try:
        with fetch(PYPI_JSON.format(version=version)) as response:
            data = json.loads(response.read().decode("utf-8"))
        return [(f["filename"], f["url"], f["digests"]["sha256"]) for f in data["urls"]]
    except urllib.error.HTTPError as e:
        problems.append("%s: HTTP %d" % (PYPI_JSON.format(version=version), e.code))
    except (OSError, ValueError, KeyError, TypeError) as e:
        problems.append("%s: %s" % (PYPI_JSON.format(version=version), one_line(e, 150)))
    try:
        with fetch(PYPI_SIMPLE, accept="application/vnd.pypi.simple.v1+json") as response:
            data = json.loads(response.read().decode("utf-8"))
        prefix = "uv-%s-" % version
        files = [(f["filename"], f["url"], f["hashes"]["sha256"]) for f in data["files"]
                 if f["filename"].startswith(prefix) and f["filename"].endswith(".whl")]
        if files:
            return files
        problems.append("%s: uv %s is not listed" % (PYPI_SIMPLE, version))
    except urllib.error.HTTPError as e:
        problems.append("%s: HTTP %d" % (PYPI_SIMPLE, e.code))
    except (OSError, ValueError, KeyError, TypeError) as e:
        problems.append("%s: %s" % (PYPI_SIMPLE, one_line(e, 150)))
    raise Failure("; ".join(problems))


def machine():
    name = platform.machine().lower()
    return {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64", "i386": "i686", "i586": "i686"}.get(name, name)


def glibc_version():
    try:
        name, version = os.confstr("CS_GNU_LIBC_VERSION").split()
        return tuple(int(part) for part in version.split(".")[:2]) if name == "glibc" else None
    except (AttributeError, ValueError, OSError):
        return None


def platform_rank(tag):
    """How well one wheel platform tag fits this machine: None if it does not run here, higher is better."""
    if sys.platform.startswith("linux"):
        arch = machine()
        glibc = glibc_version()
        legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
        m = re.match(r"^(manylinux1|manylinux2010|manylinux2014)_(.+)$", tag)
        if m:
            tag = "manylinux_%d_%d_%s" % (legacy[m.group(1)] + (m.group(2),))
        m = re.match(r"^manylinux_(\d+)_(\d+)_(.+)$", tag)
        if m:
            needed = (int(m.group(1)), int(m.group(2)))
            return needed if glibc and m.group(3) == arch and needed <= glibc else None
        m = re.match(r"^musllinux_(\d+)_(\d+)_(.+)$", tag)
        if m:
            return (0, int(m.group(2))) if glibc is None and m.group(3) == arch else None
        return (0, -1) if tag == "linux_" + arch else None
    if sys.platform == "darwin":
        arch = platform.machine().lower()
        m = re.match(r"^macosx_\d+_\d+_(.+)$", tag)
        if m and m.group(1) == arch:
            return (1,)
        return (0,) if m and m.group(1) == "universal2" else None
    return None


def choose_wheel(version, files):
    """The file that runs here, from a list of (filename, url, sha256)."""
    best = None
    for filename, url, sha256 in files:
        parts = filename[:-len(".whl")].split("-") if filename.endswith(".whl") else []
        if len(parts) < 5 or parts[0] != "uv" or parts[1] != version or parts[-2] != "none":
            continue
        ranks = [r for r in (platform_rank(tag) for tag in parts[-1].split(".")) if r is not None]
        if ranks and (best is None or max(ranks) > best[0]):
            best = (max(ranks), filename, url, sha256)
    if best is None:
        libc = "glibc %d.%d" % glibc_version() if glibc_version() else "no glibc"
        raise Failure("PyPI has no uv %s wheel for this machine (%s %s, %s)"
                      % (version, sys.platform, platform.machine(), libc if sys.platform.startswith("linux")
                         else platform.platform()))
    return best[1:]


def pypi_download(version, into):
    """Downloads the wheel from PyPI and checks its sha256; returns its path, or raises Failure."""
    filename, url, sha256 = choose_wheel(version, pypi_files(version))
    path = os.path.join(into, filename)
    digest = hashlib.sha256()
    try:
        with fetch(url) as response, open(path, "wb") as out:
            for block in iter(lambda: response.read(1 << 20), b""):
                digest.update(block)
                out.write(block)
    except urllib.error.HTTPError as e:
        raise Failure("%s: HTTP %d" % (url, e.code))
    except OSError as e:
        raise Failure("%s: %s" % (url, one_line(e, 150)))
    if digest.hexdigest() != sha256.lower():
        raise Failure("%s: sha256 %s, PyPI says %s" % (filename, digest.hexdigest(), sha256))
    return path


# --- the binaries --------------------------------------------------------------------------------------------------

def extract(wheel, version, into):
    """Writes uv (and uvx) from the wheel into INTO, mode 755."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
            for binary in BINARIES:
                member = "uv-%s.data/scripts/%s" % (version, binary)
                if member not in names:
                    found = [n for n in names if n.endswith(".data/scripts/" + binary)]
                    if not found:
                        if binary == "uv":
                            raise Failure("%s holds no %s" % (os.path.basename(wheel), member))
                        continue
                    member = found[0]
                target = os.path.join(into, binary)
                with archive.open(member) as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
                os.chmod(target, 0o755)
    except zipfile.BadZipFile as e:
        raise Failure("%s is not a valid wheel (%s)" % (os.path.basename(wheel), one_line(e)))


def uv_version(binary):
    """The output of `BINARY --version`, or raises Failure."""
    try:
        result = subprocess.run([binary, "--version"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        raise Failure("the unpacked uv does not start (%s)" % one_line(e))
    output = result.stdout.decode("utf-8", "replace").strip()
    if result.returncode != 0:
        raise Failure("the unpacked uv does not run: `uv --version` exits with %d (%s)"
                      % (result.returncode, one_line(output or "no output")))
    return output


def works(folder, version):
    try:
        return uv_version(os.path.join(folder, "uv")).split()[:2] == ["uv", version]
    except Failure:
        return False


def install(version, dest):
    dest = os.path.abspath(dest)
    parent = os.path.dirname(dest)
    try:
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=".%s.tmp-" % os.path.basename(dest), dir=parent)
    except OSError as e:
        raise Failure("cannot create a folder in %s (%s)" % (parent, one_line(e)))
    try:
        wheels = os.path.join(staging, "wheel")
        unpacked = os.path.join(staging, "bin")
        os.mkdir(wheels)
        os.mkdir(unpacked)
        try:
            wheel = pip_download(version, wheels)
        except Failure as pip_failure:
            say("%s; downloading uv %s from PyPI instead" % (pip_failure, version))
            try:
                wheel = pypi_download(version, wheels)
            except Failure as pypi_failure:
                raise Failure("%s; PyPI: %s" % (pip_failure, pypi_failure))
        extract(wheel, version, unpacked)
        output = uv_version(os.path.join(unpacked, "uv"))
        if output.split()[:2] != ["uv", version]:
            raise Failure("the unpacked uv says %r, expected uv %s" % (one_line(output, 80), version))
        if os.path.lexists(dest):
            if works(dest, version):  # installed meanwhile by a concurrent run
                return
            old = tempfile.mkdtemp(prefix=".%s.old-" % os.path.basename(dest), dir=parent)
            os.rename(dest, os.path.join(old, "previous"))
        os.rename(unpacked, dest)
    except OSError as e:
        raise Failure("cannot write to %s (%s)" % (parent, one_line(e)))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        for name in os.listdir(parent) if os.path.isdir(parent) else []:
            if name.startswith(".%s.old-" % os.path.basename(dest)):
                shutil.rmtree(os.path.join(parent, name), ignore_errors=True)


def main(argv):
    if len(argv) != 3 or not re.match(r"^[0-9][0-9A-Za-z.+!-]*$", argv[1]):
        say("usage: install-uv.py VERSION DEST (got %s)" % " ".join(argv[1:]))
        return FAILED
    version, dest = argv[1], argv[2]
    try:
        install(version, dest)
        return 0
    except KeyboardInterrupt:
        say("installing uv %s was interrupted" % version)
        return FAILED
    except Exception as e:  # every failure ends in one line, never a traceback
        cause = str(e) if isinstance(e, Failure) else "%s: %s" % (type(e).__name__, one_line(e))
        say("could not install uv %s with %s: %s. Install uv %s by hand (%s) and put it on PATH"
            % (version, python_name(), cause, version, MANUAL))
        return FAILED


if __name__ == "__main__":
    sys.exit(main(sys.argv))
