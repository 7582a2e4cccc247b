"""The package as published: `uv build` makes a typed wheel with no required dependencies, which works alone."""

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
UV = os.environ.get("UV")  # set by `uv run`


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    if not UV:
        pytest.skip("run through `uv run pytest` (the UV variable names uv)")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([UV, "build", "--quiet", "--out-dir", str(out), str(PROJECT)], check=True, timeout=120)
    wheels = list(out.glob("isp_wrapper-*-py3-none-any.whl"))
    assert len(wheels) == 1 and len(list(out.glob("isp_wrapper-*.tar.gz"))) == 1, list(out.iterdir())
    return wheels[0]


def test_uv_build_makes_a_typed_wheel_whose_dependencies_are_all_extras(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()

    assert "isp_wrapper/py.typed" in names and "isp_wrapper/__init__.py" in names
    assert not any(name.startswith("tests/") for name in names)
    assert "Requires-Python: >=3.9" in metadata and "License-Expression: Apache-2.0" in metadata
    requirements = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert requirements and all("extra ==" in line for line in requirements), requirements
    extras = {line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Provides-Extra:")}
    assert extras == {"uvicorn", "fastapi", "starlette", "pydantic"}


def test_the_wheel_alone_serves_a_standard_library_service_without_any_other_package(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([UV, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([UV, "pip", "install", "--quiet", "--offline", "--python", str(python), str(wheel)], check=True,
                   timeout=120)
    check = ("import sys, isp_wrapper, isp_wrapper.asgi, isp_wrapper.wsgi, isp_wrapper.httpserver;"
             "assert not [m for m in ('uvicorn', 'starlette', 'pydantic') if m in sys.modules];"
             "print(isp_wrapper.__version__)")

    result = subprocess.run([str(python), "-c", check], capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    version = re.search(r'^version = "([^"]+)"$', (PROJECT / "pyproject.toml").read_text(), re.M).group(1)
    assert result.stdout.strip() == version
