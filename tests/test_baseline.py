"""Baselines: ``--write-baseline`` saves today's findings, ``--baseline`` reports only new ones,
matched by fingerprint so that moving lines or adding documents does not resurrect old ones."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from conftest import lint, run_cli
from pullcheck.baseline import BaselineError, dumps, loads
from pullcheck.suppress import by_baseline

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      initContainers:
        - name: migrate
          image: ghcr.io/acme/migrate
      containers:
        - name: web
          image: ghcr.io/acme/web:latest
"""
JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: report
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: report
          image: "ghcr.io/acme/Report:1.0"
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "web.yaml").write_text(WEB, encoding="utf-8")
    (tmp_path / "deploy" / "job.yaml").write_text(JOB, encoding="utf-8")
    return tmp_path


def findings(repo: Path, *args: str, cwd: Path | None = None) -> tuple[int, list[dict[str, Any]]]:
    res = run_cli(*args, "--format", "json", cwd=cwd or repo)
    assert res.returncode in (0, 1), res.stderr
    return res.returncode, json.loads(res.stdout)["findings"]


def where(items: list[dict[str, Any]]) -> list[tuple[str, str, int, int]]:
    return [(f["rule"], f["path"], f["line"], f["column"]) for f in items]


def test_round_trip(repo: Path) -> None:
    """Write, then nothing is reported; move lines and add a document: still nothing; add a new
    problem: exactly that one is reported, at its exact place, with exit 1."""
    rc, before = findings(repo, "deploy")
    assert rc == 1
    assert where(before) == [
        ("invalid-image-reference", "deploy/job.yaml", 11, 19),
        ("missing-image-tag", "deploy/web.yaml", 13, 18),
        ("latest-tag", "deploy/web.yaml", 16, 18),
    ]

    res = run_cli("--write-baseline", "baseline.json", "deploy", cwd=repo)
    assert (res.returncode, res.stdout) == (0, "")
    assert res.stderr == "pullcheck: wrote 3 findings to the baseline baseline.json\n"
    saved = json.loads((repo / "baseline.json").read_text(encoding="utf-8"))
    assert saved["tool"] == "pullcheck" and saved["version"] == 1
    assert Counter(e["fingerprint"] for e in saved["findings"]) == Counter(f["fingerprint"] for f in before)
    assert {(e["rule"], e["path"], e["object"], e["container"]) for e in saved["findings"]} == {
        ("invalid-image-reference", "deploy/job.yaml", "Job/default/report", "report"),
        ("missing-image-tag", "deploy/web.yaml", "Deployment/shop/web", "migrate"),
        ("latest-tag", "deploy/web.yaml", "Deployment/shop/web", "web"),
    }

    assert findings(repo, "--baseline", "baseline.json", "deploy") == (0, [])

    # Lines move, a document is added before the old ones, the files' documents are reordered.
    moved = "# moved\n\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {}\n---\n"
    (repo / "deploy" / "web.yaml").write_text(moved + WEB, encoding="utf-8")
    (repo / "deploy" / "job.yaml").write_text(moved + JOB, encoding="utf-8")
    rc, shifted = findings(repo, "deploy")
    assert rc == 1 and len(shifted) == 3
    assert [f["line"] for f in shifted] != [f["line"] for f in before]
    assert findings(repo, "--baseline", "baseline.json", "deploy") == (0, [])

    # New problems: a new container in the old object, a new object in the old file.
    new_web = WEB + "        - name: sidecar\n          image: ghcr.io/acme/sidecar\n"
    new_pod = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: debug}\nspec:\n  containers:\n    - name: debug\n      image: ghcr.io/acme/web:latest\n"
    (repo / "deploy" / "web.yaml").write_text(moved + new_web + new_pod, encoding="utf-8")
    rc, new = findings(repo, "--baseline", "baseline.json", "deploy")
    assert rc == 1
    assert where(new) == [
        ("missing-image-tag", "deploy/web.yaml", 26, 18),
        ("latest-tag", "deploy/web.yaml", 34, 14),
    ]
    assert [(f["object"]["name"], f["container"]) for f in new] == [("web", "sidecar"), ("debug", "debug")]


def test_baseline_holds_from_another_working_directory(repo: Path) -> None:
    """Paths are matched relative to the repository root, not to the working directory."""
    assert run_cli("--write-baseline", "baseline.json", "deploy", cwd=repo).returncode == 0
    rc, items = findings(repo, "--baseline", "../baseline.json", ".", cwd=repo / "deploy")
    assert (rc, items) == (0, [])
    rc, items = findings(repo, ".", cwd=repo / "deploy")
    assert rc == 1 and len(items) == 3


def test_baseline_applies_to_every_format(repo: Path) -> None:
    assert run_cli("--write-baseline", "b.json", "deploy", cwd=repo).returncode == 0
    res = run_cli("--baseline", "b.json", "deploy", "--format", "sarif", cwd=repo)
    assert res.returncode == 0 and json.loads(res.stdout)["runs"][0]["results"] == []
    res = run_cli("--baseline", "b.json", "deploy", "--format", "github", cwd=repo)
    assert (res.returncode, res.stdout) == (0, "")


def test_fixing_a_finding_keeps_the_others_silenced(repo: Path) -> None:
    assert run_cli("--write-baseline", "b.json", "deploy", cwd=repo).returncode == 0
    (repo / "deploy" / "job.yaml").write_text(JOB.replace("Report", "report"), encoding="utf-8")
    assert findings(repo, "--baseline", "b.json", "deploy") == (0, [])


def test_a_fingerprint_silences_as_many_findings_as_recorded(repo: Path) -> None:
    """The same finding twice (a copy of a document) is one more than the baseline recorded."""
    assert run_cli("--write-baseline", "b.json", "deploy/job.yaml", cwd=repo).returncode == 0
    (repo / "deploy" / "job.yaml").write_text(JOB + "---\n" + JOB, encoding="utf-8")
    rc, items = findings(repo, "--baseline", "b.json", "deploy/job.yaml")
    assert rc == 1
    assert where(items) == [("invalid-image-reference", "deploy/job.yaml", 23, 19)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read baseline b.json"),
        ("{not json", "b.json: not valid JSON (line 1, column 2"),
        ('{"findings": []}', "b.json: not a pullcheck baseline"),
        ('{"tool": "pullcheck", "version": 9, "findings": []}', "b.json: baseline version 9 is not supported"),
        ('{"tool": "pullcheck", "version": 1, "findings": [{"rule": "x"}]}', "b.json: findings[0] has no fingerprint"),
    ],
)
def test_bad_baseline_exits_2(repo: Path, content: str | None, message: str) -> None:
    if content is not None:
        (repo / "b.json").write_text(content, encoding="utf-8")
    res = run_cli("--baseline", "b.json", "deploy", cwd=repo)
    assert res.returncode == 2
    assert res.stderr.startswith(f"pullcheck: {message}"), res.stderr
    assert res.stdout == ""


def test_write_baseline_to_an_unwritable_place_exits_2(repo: Path) -> None:
    res = run_cli("--write-baseline", "no-such-dir/b.json", "deploy", cwd=repo)
    assert res.returncode == 2 and "cannot write baseline" in res.stderr


def test_dumps_loads_round_trip_in_process() -> None:
    found = lint(WEB, path="deploy/web.yaml")
    text = dumps(found)
    assert text == dumps(list(reversed(found)))  # sorted: stable under version control
    assert loads(text) == Counter(f.fingerprint for f in found)
    kept, silenced = by_baseline(found, loads(text))
    assert (kept, silenced) == ([], len(found))
    kept, silenced = by_baseline(found, Counter())
    assert (kept, silenced) == (found, 0)
    with pytest.raises(BaselineError):
        loads("[]")


def test_parser_findings_survive_lines_moving(repo: Path) -> None:
    """A duplicate key (a loader finding, no object) stays silenced when lines above it move."""
    dup = WEB.replace("          image: ghcr.io/acme/web:latest\n",
                      "          image: ghcr.io/acme/web:1.0\n          image: ghcr.io/acme/web:1.0\n")
    (repo / "deploy" / "web.yaml").write_text(dup, encoding="utf-8")
    rc, items = findings(repo, "deploy/web.yaml")
    assert rc == 1
    assert "duplicate-key" in {f["rule"] for f in items}
    assert run_cli("--write-baseline", "b.json", "deploy/web.yaml", cwd=repo).returncode == 0
    (repo / "deploy" / "web.yaml").write_text("# a comment\n\n" + dup, encoding="utf-8")
    assert findings(repo, "--baseline", "b.json", "deploy/web.yaml") == (0, [])


def test_a_run_says_how_many_findings_the_baseline_hid(repo: Path) -> None:
    """Silenced findings are counted on stderr (never in the report), and not at all with --quiet."""
    assert run_cli("--write-baseline", "baseline.json", "deploy", cwd=repo).returncode == 0
    res = run_cli("--baseline", "baseline.json", "deploy", cwd=repo)
    assert res.returncode == 0
    assert res.stderr == "pullcheck: 3 findings in the baseline baseline.json not reported\n"
    assert run_cli("--baseline", "baseline.json", "--quiet", "deploy", cwd=repo).stderr == ""
