"""action.yml and the example workflows: schema-valid, wired together, and the action's lint step
really works (run with bash exactly as the Actions runner runs a composite ``shell: bash`` step)."""

from __future__ import annotations

import importlib.resources
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from conftest import ROOT, run_cli

ACTION = ROOT / "action.yml"
WORKFLOWS = ROOT / "examples" / "workflows"
CODE_SCANNING = WORKFLOWS / "pullcheck.yml"
ANNOTATIONS = WORKFLOWS / "pullcheck-annotations.yml"
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def load_yaml(path: Path) -> Any:
    """YAML 1.2 as GitHub reads it (``on:`` stays a string key, unlike PyYAML's YAML 1.1)."""
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def vendored(name: str) -> dict[str, Any]:
    """SchemaStore's schema as vendored by check-jsonschema (no ../shared needed)."""
    ref = importlib.resources.files("check_jsonschema").joinpath("builtin_schemas", "vendor", name)
    return dict(json.loads(ref.read_text(encoding="utf-8")))


def errors(schema: dict[str, Any], doc: Any) -> list[str]:
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)]


# ------------------------------------------------------------------------------------ schemas
def test_action_valid_against_shared_schema(shared: Path) -> None:
    schema = json.loads((shared / "schemas" / "github-action.json").read_text(encoding="utf-8"))
    assert errors(schema, load_yaml(ACTION)) == []


def test_action_valid_against_vendored_schema() -> None:
    assert errors(vendored("github-actions.json"), load_yaml(ACTION)) == []


def test_action_schema_check_can_fail() -> None:
    """A composite run step without ``shell`` and an action without ``runs`` are rejected."""
    schema = vendored("github-actions.json")
    action = load_yaml(ACTION)
    bad = json.loads(json.dumps(action))
    del next(s for s in bad["runs"]["steps"] if "run" in s)["shell"]
    assert errors(schema, bad)
    del bad["runs"]
    assert errors(schema, bad)


@pytest.mark.parametrize("path", [CODE_SCANNING, ANNOTATIONS], ids=lambda p: p.name)
def test_workflow_valid_against_shared_schema(path: Path, shared: Path) -> None:
    schema = json.loads((shared / "schemas" / "github-workflow.json").read_text(encoding="utf-8"))
    assert errors(schema, load_yaml(path)) == []


@pytest.mark.parametrize("path", [CODE_SCANNING, ANNOTATIONS], ids=lambda p: p.name)
def test_workflow_valid_against_vendored_schema(path: Path) -> None:
    assert errors(vendored("github-workflows.json"), load_yaml(path)) == []


def test_workflow_schema_check_can_fail() -> None:
    bad = load_yaml(CODE_SCANNING)
    del bad["on"]
    assert errors(vendored("github-workflows.json"), bad)


# ------------------------------------------------------------------------------ action shape
def test_action_inputs_and_outputs() -> None:
    action = load_yaml(ACTION)
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"paths", "config", "fail-on", "format", "sarif-file", "baseline", "version"}
    assert set(action["outputs"]) == {"sarif-file", "findings"}
    steps = {s.get("id"): s for s in action["runs"]["steps"]}
    for out in action["outputs"].values():
        (expr,) = EXPR.findall(out["value"])
        step_id, _, key = expr.removeprefix("steps.").partition(".outputs.")
        assert f'echo "{key}=' in steps[step_id]["run"], f"step {step_id} never sets {key}"


def test_action_scripts_take_inputs_only_through_env() -> None:
    """No ``${{ }}`` inside a ``run:`` script: an input holding shell code cannot be injected."""
    for step in load_yaml(ACTION)["runs"]["steps"]:
        if "run" in step:
            assert not EXPR.search(step["run"]), step.get("name")
            assert step["shell"] == "bash"


def lint_step() -> dict[str, Any]:
    return next(s for s in load_yaml(ACTION)["runs"]["steps"] if s.get("id") == "lint")


def run_lint_step(workspace: Path, tmp: Path, **inputs: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """Run the action's lint step as the runner would (``bash --noprofile --norc -eo pipefail``),
    with the action's input defaults overridden by ``inputs``; returns the process and its outputs."""
    action = load_yaml(ACTION)
    values = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    values.update({k.replace("_", "-"): v for k, v in inputs.items()})

    def evaluate(expr: str) -> str:
        if expr.startswith("inputs."):
            return values[expr.removeprefix("inputs.")]
        if expr == "steps.install.outputs.python":
            return sys.executable  # the install step's venv python; here, ours
        raise AssertionError(f"unexpected expression {expr!r}")

    step = lint_step()
    env = {k: EXPR.sub(lambda m: evaluate(m.group(1)), str(v)) for k, v in step["env"].items()}
    script = tmp / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    output = tmp / "github_output"
    output.write_text("", encoding="utf-8")
    full_env = {**os.environ, "NO_COLOR": "1", "RUNNER_TEMP": str(tmp), "GITHUB_OUTPUT": str(output), **env}
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workspace, env=full_env, capture_output=True, text=True, timeout=120,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines() if "=" in line)
    return proc, outputs


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checked-out repository holding a copy of examples/ (the action runs in the workspace)."""
    ws = tmp_path / "ws"
    ws.mkdir()
    subprocess.run(["git", "init", "-q", str(ws)], check=True)
    shutil.copytree(ROOT / "examples", ws / "examples")
    return ws


def json_count(cwd: Path, *args: str) -> tuple[int, int]:
    res = run_cli(*args, "--format", "json", cwd=cwd)
    return res.returncode, len(json.loads(res.stdout)["findings"])


def test_action_lint_step_writes_sarif_and_outputs(workspace: Path, tmp_path: Path) -> None:
    """Defaults: text to the log, SARIF to pullcheck.sarif, outputs = that path and the count,
    and the step fails exactly when the CLI would."""
    expected_rc, expected_count = json_count(workspace, "examples")
    assert expected_count > 0
    proc, outputs = run_lint_step(workspace, tmp_path, paths="examples")
    assert proc.returncode == expected_rc == 1, proc.stderr
    assert outputs == {"sarif-file": "pullcheck.sarif", "findings": str(expected_count)}
    sarif = json.loads((workspace / "pullcheck.sarif").read_text(encoding="utf-8"))
    assert len(sarif["runs"][0]["results"]) == expected_count
    assert "examples/deployment.yaml:" in proc.stdout and "Found " in proc.stdout  # the text report


def test_action_lint_step_github_format_and_several_paths(workspace: Path, tmp_path: Path) -> None:
    """``format: github`` prints workflow commands; paths split on spaces and newlines."""
    expected_rc, expected_count = json_count(workspace, "examples/deployment.yaml", "examples/cronjob.yaml")
    (workspace / "out").mkdir()
    proc, outputs = run_lint_step(
        workspace, tmp_path, paths="examples/deployment.yaml\n  examples/cronjob.yaml ",
        format="github", sarif_file="out/scan.sarif",
    )
    assert proc.returncode == expected_rc
    assert outputs == {"sarif-file": "out/scan.sarif", "findings": str(expected_count)}
    commands = [line for line in proc.stdout.splitlines() if line.startswith("::")]
    assert any(c.startswith("::error file=examples/cronjob.yaml,line=16,col=22,") for c in commands), commands
    files = {m.group(1) for c in commands if (m := re.search(r"file=([^,]+),", c))}
    assert files == {"examples/deployment.yaml", "examples/cronjob.yaml"}


def test_action_lint_step_fail_on_and_config(workspace: Path, tmp_path: Path) -> None:
    """``fail-on`` and ``config`` reach the CLI: with only warnings and ``fail-on: error`` it passes."""
    (workspace / "warn.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n  containers:\n    - name: w\n"
        "      image: ghcr.io/acme/w:latest\n",
        encoding="utf-8",
    )
    proc, outputs = run_lint_step(workspace, tmp_path, paths="warn.yaml")
    assert proc.returncode == 1 and outputs["findings"] == "1"
    proc, outputs = run_lint_step(workspace, tmp_path, paths="warn.yaml", fail_on="error")
    assert proc.returncode == 0 and outputs["findings"] == "1"
    (workspace / "ci.yaml").write_text("rules:\n  latest-tag: off\n", encoding="utf-8")
    proc, outputs = run_lint_step(workspace, tmp_path, paths="warn.yaml", config="ci.yaml")
    assert proc.returncode == 0 and outputs["findings"] == "0"


def test_action_lint_step_usage_error_fails(workspace: Path, tmp_path: Path) -> None:
    """No SARIF is written, none is left from before, and the output says so (the upload is skipped)."""
    (workspace / "pullcheck.sarif").write_text("{}", encoding="utf-8")  # an earlier run's
    proc, outputs = run_lint_step(workspace, tmp_path, paths="does-not-exist")
    assert proc.returncode == 2
    assert outputs == {"sarif-file": "", "findings": ""}
    assert not (workspace / "pullcheck.sarif").exists()


def test_action_lint_step_baseline_and_a_new_sarif_directory(workspace: Path, tmp_path: Path) -> None:
    """``baseline`` reaches the CLI; ``sarif-file`` in a directory that does not exist yet is written."""
    assert run_cli("--write-baseline", "base.json", "examples/deployment.yaml", cwd=workspace).returncode == 0
    proc, outputs = run_lint_step(
        workspace, tmp_path, paths="examples/deployment.yaml examples/cronjob.yaml",
        baseline="base.json", sarif_file="reports/scan/p.sarif",
    )
    expected_rc, expected_count = json_count(workspace, "examples/cronjob.yaml")
    assert proc.returncode == expected_rc == 1, proc.stderr
    assert outputs == {"sarif-file": "reports/scan/p.sarif", "findings": str(expected_count)}
    sarif = json.loads((workspace / "reports/scan/p.sarif").read_text(encoding="utf-8"))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"examples/cronjob.yaml"}


# ---------------------------------------------------------------------------------- workflows
def test_code_scanning_workflow_runs_the_action_and_uploads_its_sarif() -> None:
    wf = load_yaml(CODE_SCANNING)
    (job,) = wf["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    steps = job["steps"]
    lint = next(s for s in steps if str(s.get("uses", "")).startswith("pullcheck/pullcheck@"))
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    assert steps.index(lint) < steps.index(upload)
    assert upload["with"]["sarif_file"] == f"${{{{ steps.{lint['id']}.outputs.sarif-file }}}}"
    assert "cancelled()" in upload["if"]  # uploads also when findings fail the lint step
    assert set(lint.get("with", {})) <= set(load_yaml(ACTION)["inputs"])


def test_annotations_workflow_uses_github_format_without_code_scanning() -> None:
    wf = load_yaml(ANNOTATIONS)
    (job,) = wf["jobs"].values()
    uses = [str(s.get("uses", "")) for s in job["steps"]]
    assert not any("upload-sarif" in u for u in uses)
    lint = next(s for s in job["steps"] if str(s.get("uses", "")).startswith("pullcheck/pullcheck@"))
    assert lint["with"]["format"] == "github"
    assert "security-events" not in json.dumps(wf)


@pytest.mark.parametrize("extra", [(), ("--all-documents",)], ids=["default", "all-documents"])
def test_example_workflows_lint_clean(extra: tuple[str, ...]) -> None:
    """``pullcheck examples/`` walks examples/workflows too: they must add no finding and no error."""
    res = run_cli("examples/workflows", "--format", "json", *extra, cwd=ROOT)
    assert res.returncode == 0, res.stdout + res.stderr
    assert json.loads(res.stdout)["findings"] == []
    assert res.stderr == ""
