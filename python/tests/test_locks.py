"""The lock files of the projects that depend on this package by path are current.

A project's uv.lock records the package's metadata, dev dependencies included: a change to this pyproject.toml
makes them stale (`uv lock` in each fixes it). Checked in a copy laid out as the projects expect."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent
ROOT = PACKAGE.parent
UV = os.environ.get("UV")
# project folder in the repository -> where it sits beside python/ in the copy
PROJECTS = {
    "examples/fastapi-service": "examples/fastapi-service",
    "examples/hello-service": "examples/hello-service",
    "isp-python-wrapper-kit/src/test/resources/package-service": "service",
}


@pytest.mark.parametrize("project", sorted(PROJECTS))
def test_the_lock_is_current(project, tmp_path):
    if not UV or not (ROOT / "pom.xml").is_file():
        pytest.skip("needs uv (`uv run pytest`) and the repository")
    shutil.copytree(PACKAGE, tmp_path / "python", ignore=shutil.ignore_patterns(".venv", "dist", "__pycache__",
                                                                               ".pytest_cache"))
    copy = tmp_path / PROJECTS[project]
    copy.mkdir(parents=True)
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(ROOT / project / name, copy / name)

    result = subprocess.run([UV, "lock", "--check"], cwd=copy, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, f"{project}/uv.lock is stale: run `uv lock` there\n{result.stderr}"
