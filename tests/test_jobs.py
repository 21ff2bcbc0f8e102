"""``--jobs 2`` (a process pool over files) and ``--jobs auto`` print exactly what ``--jobs 1`` prints."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from pullcheck import engine
from pullcheck.config import Config
from pullcheck.engine import PARALLEL_MIN_BYTES, PARALLEL_MIN_FILES, Engine, RunOptions, _auto_jobs
from pullcheck.rule import all_rules
from pullcheck.sources import Source, expand

WORKLOAD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: ns-{ns}
spec:
  selector: {{matchLabels: {{app: app-{i}}}}}
  template:
    metadata: {{labels: {{app: app-{i}}}}}
    spec:
      serviceAccountName: sa-{ns}
      imagePullSecrets: [{{name: regcred}}]
      containers:
        - name: main
          image: {image}
        - name: sidecar
          image: ghcr.io/acme/sidecar:1.{i}.0
"""
SECRET = """\
apiVersion: v1
kind: Secret
metadata: {{name: regcred, namespace: ns-{ns}}}
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: eyJhdXRocyI6eyJnaGNyLmlvIjp7ImF1dGgiOiJkWE5sY2pwd1lYTnoifX19
"""
IMAGES = ["nginx", "nginx:latest", "Acme/app:1.0", "ghcr.io/acme/app:{{ .Values.tag }}", '"ghcr.io/acme/app:"', "nginx:1.27"]


def _corpus(root: Path) -> Path:
    """Forty files with findings of many rules, cross-file secrets, bad YAML and skipped kinds."""
    root.mkdir()
    for i in range(30):
        (root / f"deploy-{i:02d}.yaml").write_text(WORKLOAD.format(i=i, ns=i % 3, image=IMAGES[i % len(IMAGES)]))
    for ns in range(2):  # ns-2 has no pull secret in the run
        (root / f"secret-{ns}.yaml").write_text(SECRET.format(ns=ns))
    (root / "install.yaml").write_text(
        "".join(f"---\n# Source: chart/templates/d{i}.yaml\n" + WORKLOAD.format(i=100 + i, ns=0, image=IMAGES[i])
                for i in range(len(IMAGES)))
        + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: 1, a: 2}\n"
    )
    (root / "broken.yaml").write_text("apiVersion: v1\nkind: Pod\nspec: [unclosed\n")
    (root / "dupes.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: nginx:1\n"
        "      image: nginx\n"
    )
    (root / "suppressed.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: q}\nspec:\n  containers:\n"
        "    - name: a\n      image: nginx  # pullcheck: ignore[missing-image-tag]\n"
    )
    (root / "list.yaml").write_text(
        "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: l}\n"
        "    spec: {containers: [{name: a, image: 'busybox:latest'}]}\n"
    )
    (root / "empty.yaml").write_text("# nothing here\n---\n")
    (root / "latin1.yaml").write_bytes(b"kind: Pod\nname: caf\xe9\n")
    return root


def _json(corpus: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """Exit code and JSON report of a real run, without the wall time (the one field that varies)."""
    proc = run_cli("--format", "json", *args, ".", cwd=corpus)
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)
    data["stats"].pop("seconds")
    return proc.returncode, data


def test_jobs_2_and_auto_print_exactly_what_jobs_1_prints(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    one = _json(corpus, "--jobs", "1")
    rules = {f["rule"] for f in one[1]["findings"]}
    # the corpus exercises the loader, per-object rules and run-wide rules alike
    assert {"yaml-syntax", "duplicate-key", "missing-image-tag", "latest-tag", "invalid-image-reference",
            "unrendered-template", "input-error", "pull-secret-wrong-namespace"} <= rules
    assert one[0] == 1 and one[1]["stats"]["files"] == 39
    assert _json(corpus, "--jobs", "2") == one
    assert _json(corpus) == one  # auto (one process for so few bytes)
    all_one = _json(corpus, "--all-documents", "--jobs", "1")
    assert len(all_one[1]["findings"]) == len(one[1]["findings"]) + 1  # the ConfigMap's duplicate key
    assert _json(corpus, "--all-documents", "--jobs", "2") == all_one


def test_jobs_2_matches_jobs_1_on_real_manifests(shared: Path) -> None:
    corpus = shared / "corpus" / "real" / "GoogleCloudPlatform__kubernetes-engine-samples"
    one = _json(corpus, "--jobs", "1")
    assert one[1]["stats"]["files"] > 500 and one[1]["findings"]
    assert _json(corpus, "--jobs", "2") == one


def test_auto_forks_only_for_enough_files_and_bytes() -> None:
    small = [Source(f"f{i}.yaml", None, "kind: Pod\n") for i in range(PARALLEL_MIN_FILES)]
    assert _auto_jobs(small) == 1
    big = [Source(f"f{i}.yaml", None, "x" * (PARALLEL_MIN_BYTES // 10)) for i in range(PARALLEL_MIN_FILES)]
    assert _auto_jobs(big) == min(len(os.sched_getaffinity(0)), 8)
    assert _auto_jobs(big[: PARALLEL_MIN_FILES - 1]) == 1


def test_run_wide_findings_get_the_same_frames_when_the_pool_reads_their_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From LATE_PARALLEL_MIN_FILES files on, the run-wide findings' files are read again in the pool:
    same findings, frames and comment suppressions as in one process."""
    corpus = _corpus(tmp_path / "corpus")
    (corpus / "late-suppressed.yaml").write_text(
        WORKLOAD.format(i=99, ns=2, image="nginx:1.27").replace(
            "[{name: regcred}]", "[{name: regcred}]  # pullcheck: ignore[pull-secret-not-found]"
        )
    )
    sources = [s for s in expand(["."], (), corpus) if isinstance(s, Source)]
    rules, _ = all_rules()

    def run(jobs: int) -> list[tuple[Any, ...]]:
        findings, _ = Engine(Config(), rules, RunOptions(jobs=jobs)).run(sources)
        return [(f.rule, f.path, f.span, f.level, f.message, f.snippet, f.snippet_start, f.repo_path) for f in findings]

    one = run(1)
    late = [f for f in one if f[0] == "pull-secret-not-found"]
    assert len({f[1] for f in late}) >= 4  # in several files: the pool has groups to share
    assert not any(f[1] == "late-suppressed.yaml" for f in late)
    assert all(f[5] for f in late)  # each with its code frame
    monkeypatch.setattr(engine, "LATE_PARALLEL_MIN_FILES", 2)
    calls: list[int] = []
    original = engine._parallel

    def counting(work: Any, items: Any, jobs: int) -> Any:
        calls.append(len(items))
        return original(work, items, jobs)

    monkeypatch.setattr(engine, "_parallel", counting)
    assert run(2) == one
    assert len(calls) == 2  # the files, then the run-wide findings' files
