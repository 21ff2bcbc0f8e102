"""Offline guarantee: a full lint makes no network call and loads no HTTP client.

Every socket entry point is made to fail (and to record the attempt); the run must still produce
exactly the findings of an unguarded run, in every output format, in-process and in worker
processes. A fresh interpreter that runs the whole CLI and imports every pullcheck module must end
with no HTTP client module loaded, and no pullcheck source file may import one.
"""

from __future__ import annotations

import ast
import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from pullcheck import cli

HTTP_CLIENTS = ("urllib.request", "http.client", "requests", "httpx", "urllib3", "aiohttp")
NETWORK_MODULES = (*HTTP_CLIENTS, "socket", "ssl", "ftplib", "smtplib", "poplib", "imaplib", "telnetlib", "xmlrpc")
INPUTS = [ROOT / "tests" / "fixtures", ROOT / "tests" / "adversarial" / "cases"]
CONFIG = """\
registries:
  private: [registry.example.com]
  allowed: [docker.io, ghcr.io, registry.k8s.io, quay.io, registry.example.com]
rules:
  digest-not-pinned: note
"""


def _full_run(tmp_path: Path, tag: str, *extra: str) -> dict[str, Any]:
    """Run the CLI in-process writing every format; the machine-readable outputs."""
    out = tmp_path / tag
    out.mkdir()
    cfg = tmp_path / "pullcheck.yaml"
    cfg.write_text(CONFIG)
    args = ["--config", str(cfg), "--no-gitignore", *extra]
    for fmt in ("json", "sarif", "github", "text"):
        args += ["--format", fmt, "--output", str(out / fmt)]
    code = cli.main([*args, *map(str, INPUTS)])
    data = json.loads((out / "json").read_text())
    sarif = json.loads((out / "sarif").read_text())
    return {
        "exit": code,
        "findings": data["findings"],
        "notices": data["notices"],
        "sarif": [r for run in sarif["runs"] for r in run["results"]],
        "github": (out / "github").read_text(),
    }


class NetworkAttempt(OSError):
    """Raised by every guarded socket entry point."""


def guard_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every way of opening a connection or resolving a name fail; the attempts, recorded."""
    attempts: list[str] = []

    def refuse(name: str) -> Any:
        def guarded(*args: Any, **kwargs: Any) -> Any:
            attempts.append(name)
            raise NetworkAttempt(f"network access attempted: socket.{name}")

        return guarded

    class GuardedSocket(socket.socket):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            attempts.append("socket")
            raise NetworkAttempt("network access attempted: socket.socket()")

    original = socket.socket
    monkeypatch.setattr(socket, "socket", GuardedSocket)
    for name in ("create_connection", "create_server", "getaddrinfo", "gethostbyname", "gethostbyname_ex",
                 "gethostbyaddr", "getnameinfo", "socketpair", "fromfd"):
        monkeypatch.setattr(socket, name, refuse(name))
    for name in ("connect", "connect_ex", "sendto"):  # sockets made before the guard cannot connect either
        monkeypatch.setattr(original, name, refuse(name))
    return attempts


def test_same_findings_with_every_socket_call_failing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = _full_run(tmp_path, "reference", "--jobs", "1")
    assert reference["exit"] == 1 and len(reference["findings"]) > 20 and reference["notices"] == []
    attempts = guard_network(monkeypatch)
    with pytest.raises(NetworkAttempt):  # the guard is really in place
        socket.create_connection(("example.com", 443))
    attempts.clear()
    for jobs in ("1", "2"):  # in-process, and in forked worker processes (which inherit the guard)
        guarded = _full_run(tmp_path, f"guarded-{jobs}", "--jobs", jobs)
        assert attempts == []
        assert guarded == reference


AUDITED_RUN = r"""
import json, sys
blocked = []
def hook(event, args):
    if event == "socket.__new__":
        bad = args[1] != 1  # anything but AF_UNIX (a local socket pair is not network)
    else:
        bad = event.startswith(("socket.", "http.client.", "urllib.Request", "ftplib.", "smtplib."))
    if bad:
        blocked.append(event)
        raise OSError("network access attempted: " + event)
sys.addaudithook(hook)
from pullcheck.cli import main
codes = []
for fmt in ("text", "json", "sarif", "github"):
    codes.append(main(["--format", fmt, "--output", sys.argv[1] + "." + fmt, "--no-gitignore", "--jobs", "2", *sys.argv[2:]]))
import pkgutil, importlib, pullcheck
for info in pkgutil.walk_packages(pullcheck.__path__, "pullcheck."):
    if not info.name.endswith("__main__"):  # importing it would run the CLI
        importlib.import_module(info.name)
print(json.dumps({"codes": codes, "blocked": blocked, "modules": sorted(sys.modules)}))
"""


def test_a_fresh_interpreter_loads_no_http_client_and_opens_no_socket(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", AUDITED_RUN, str(tmp_path / "out"), *map(str, INPUTS)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.splitlines()[-1])
    assert result["codes"] == [1, 1, 1, 1]
    assert result["blocked"] == []
    loaded = set(result["modules"])
    assert "pullcheck.cli" in loaded and "pullcheck.report.sarif_format" in loaded
    assert sorted(loaded & set(HTTP_CLIENTS)) == []


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module", "__import__"
        ):
            found.update(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return found


def test_no_pullcheck_module_imports_a_network_module() -> None:
    files = sorted((ROOT / "linter").rglob("*.py")) + sorted((ROOT / "rules").rglob("*.py"))
    assert len(files) > 20
    offenders = {
        str(p.relative_to(ROOT)): sorted(
            m for m in _imports(p) if any(m == n or m.startswith(n + ".") for n in NETWORK_MODULES)
        )
        for p in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}
