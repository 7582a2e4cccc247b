"""The repository README's complete service, run as written: it serves, holds the addresses, drains, exits 0."""

import json
import re
from pathlib import Path

import pytest

MARKER = "<!-- isp_wrapper: complete service"
ROOT = Path(__file__).resolve().parent.parent.parent


def readme_service():
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        if doc.is_file() and MARKER in doc.read_text(encoding="utf-8"):
            text = doc.read_text(encoding="utf-8")
            block = re.search(r"```python\n(.*?)```", text[text.index(MARKER):], re.S)
            return block.group(1)
    if not (ROOT / "pom.xml").is_file():
        pytest.skip("not in the repository: no README to check")
    raise AssertionError(f"no code block after {MARKER!r} in README.md or docs/")


def test_the_readmes_complete_service_runs_as_written(run_service):
    service = run_service(readme_service(), config='{"greeting": "Hi", "logLevel": "warn"}')
    service.await_ready()

    assert json.loads(service.get("/api/my-service/hello")[1]) == {"greeting": "Hi", "auth": None}
    connection = service.connection()
    connection.request("POST", "/receive_module_addresses",
                       b'{"module": "isp-auth-service", "hosts": ["10.0.0.1:9003"]}', {"Content-Type": "application/json"})
    assert connection.getresponse().status == 200
    connection.close()
    assert json.loads(service.get("/api/my-service/hello")[1]) == {"greeting": "Hi", "auth": ["10.0.0.1:9003"]}

    service.signal()
    assert service.wait() == 0
