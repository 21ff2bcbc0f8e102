"""--fix and --diff: exact span edits, nothing else changes, atomic, idempotent, never stdin or Helm output."""

from __future__ import annotations

import codecs
import difflib
import os
from pathlib import Path

import pytest

from conftest import run_cli
from pullcheck.config import Config, validate
from pullcheck.engine import Engine, RunOptions
from pullcheck.finding import Finding, Fix, Span
from pullcheck.fixer import apply_fixes, fix_sources, line_starts, unified_diff
from pullcheck.rule import all_rules
from pullcheck.sources import Source

QUIET = ["--disable", "missing-pull-secret,dockerhub-rate-limit", "--color", "never"]

MANIFEST = """\
# payments: a comment at the top stays
apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments   # trailing comment
  labels: {app: payments, tier: "backend"}
spec:
  selector:
    matchLabels: {app: payments}
  template:
    spec:
      containers:
        - name: proxy
          image: "ngnix:1.27.3"      # double-quoted value
          args: ['--port', "8080"]
        - image: 'k8s.gcr.io/pause:3.9'  # single-quoted, key order: image first
          name: pause
        - name: api
          image: ghcr.io/acme/payments-api:2.4.1
---
# the second document is untouched
apiVersion: v1
kind: Pod
metadata: {name: "other"}
spec:
  containers:
  - {name: c, image: "regsitry.k8s.io/pause:3.9"}
"""

FIXED_LINES = {
    14: '          image: "nginx:1.27.3"      # double-quoted value',
    16: "        - image: 'registry.k8s.io/pause:3.9'  # single-quoted, key order: image first",
    27: '  - {name: c, image: "registry.k8s.io/pause:3.9"}',
}


def changed_lines(before: str, after: str) -> dict[int, str]:
    """Line number (1-based, in ``before``) -> new text of every line that changed."""
    a, b = before.splitlines(), after.splitlines()
    assert len(a) == len(b)
    out = {}
    for op, i1, i2, j1, _j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op != "equal":
            assert op == "replace" and i2 - i1 == 1, (op, i1, i2)
            out[i1 + 1] = b[j1]
    return out


def write(tmp_path: Path, text: str, name: str = "deploy.yaml") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode())
    return p


def engine(config: dict[str, object] | None = None) -> Engine:
    rules, _ = all_rules(with_plugins=False)
    cfg = Config(validate(config or {"rules": {"missing-pull-secret": "off", "dockerhub-rate-limit": "off"}}, "t"))
    return Engine(cfg, rules, RunOptions(jobs=1))


# -- in place -----------------------------------------------------------------------------------


def test_fix_changes_only_the_image_values(tmp_path: Path) -> None:
    p = write(tmp_path, MANIFEST)
    r = run_cli("--fix", *QUIET, str(p), cwd=tmp_path)
    after = p.read_text()
    assert changed_lines(MANIFEST, after) == FIXED_LINES
    assert "fixed 3 problem(s) in 1 file(s)" in r.stderr
    assert r.returncode == 0, r.stdout + r.stderr  # nothing left at or above warning
    assert "image-typo" not in r.stdout and "moved-registry" not in r.stdout


def test_second_fix_changes_nothing(tmp_path: Path) -> None:
    p = write(tmp_path, MANIFEST)
    run_cli("--fix", *QUIET, str(p), cwd=tmp_path)
    once = p.read_bytes()
    stamp = p.stat().st_mtime_ns
    r = run_cli("--fix", *QUIET, str(p), cwd=tmp_path)
    assert p.read_bytes() == once
    assert p.stat().st_mtime_ns == stamp  # not even rewritten
    assert "fixed" not in r.stderr
    assert run_cli("--diff", *QUIET, str(p), cwd=tmp_path).stdout == ""


def test_chained_fixes_reach_a_fixed_point_in_one_run(tmp_path: Path) -> None:
    p = write(tmp_path, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: k8s.gcr.oi/pause:3.9\n")
    run_cli("--fix", *QUIET, str(p), cwd=tmp_path)
    assert "    image: registry.k8s.io/pause:3.9\n" in p.read_text()


def test_fix_keeps_bom_crlf_and_mode(tmp_path: Path) -> None:
    text = MANIFEST.replace("\n", "\r\n")
    p = tmp_path / "crlf.yaml"
    p.write_bytes(codecs.BOM_UTF8 + text.encode())
    p.chmod(0o640)
    run_cli("--fix", *QUIET, str(p), cwd=tmp_path)
    data = p.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    after = data[3:].decode()
    assert after.count("\r\n") == text.count("\r\n") and "\n" not in after.replace("\r\n", "")
    assert changed_lines(text, after) == FIXED_LINES
    assert (p.stat().st_mode & 0o777) == 0o640


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-8"])
def test_fix_keeps_the_encoding_and_its_byte_order_mark(tmp_path: Path, codec: str) -> None:
    text = "\ufeffapiVersion: v1\nkind: Pod\nmetadata: {name: p}  # caf\u00e9 \U0001d11e\nspec:\n  containers:\n  - name: c\n    image: ngnix:1.27\n"
    p = tmp_path / "pod.yaml"
    p.write_bytes(text.encode(codec))  # U+FEFF first: the byte-order mark of each encoding
    r = run_cli("--fix", *QUIET, str(p), cwd=tmp_path)
    assert "fixed 1 problem(s) in 1 file(s)" in r.stderr
    assert p.read_bytes() == text.replace("ngnix:1.27", "nginx:1.27").encode(codec)


def test_fix_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = write(tmp_path, MANIFEST, "real.yaml")
    (tmp_path / "links").mkdir()
    link = tmp_path / "links" / "deploy.yaml"
    link.symlink_to(real)
    run_cli("--fix", *QUIET, str(link), cwd=tmp_path)
    assert link.is_symlink()
    assert changed_lines(MANIFEST, real.read_text()) == FIXED_LINES


def test_json_manifest(tmp_path: Path) -> None:
    text = '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},\n "spec": {"containers": [{"name": "c", "image": "ngnix:1.27"}]}}\n'
    p = write(tmp_path, text, "pod.json")
    run_cli("--fix", *QUIET, str(p), cwd=tmp_path)
    assert p.read_text() == text.replace("ngnix", "nginx")


def test_escaped_value_is_not_rewritten(tmp_path: Path) -> None:
    text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: "\\x6egnix:1.27"\n'
    p = write(tmp_path, text)
    r = run_cli("--fix", *QUIET, str(p), cwd=tmp_path)
    assert p.read_text() == text
    assert "fix not applied: the value is written with escapes or over lines" in r.stderr
    assert "[image-typo]" in r.stdout and r.returncode == 1


# -- --diff, stdin, Helm ------------------------------------------------------------------------


def test_diff_prints_and_does_not_write(tmp_path: Path) -> None:
    p = write(tmp_path, MANIFEST)
    r = run_cli("--diff", *QUIET, "deploy.yaml", cwd=tmp_path)
    assert p.read_text() == MANIFEST
    assert r.returncode == 1
    assert r.stdout.startswith("--- a/deploy.yaml\n+++ b/deploy.yaml\n@@ -11,")
    minus = [x for x in r.stdout.splitlines() if x.startswith("-") and not x.startswith("---")]
    plus = [x for x in r.stdout.splitlines() if x.startswith("+") and not x.startswith("+++")]
    assert minus == ['-          image: "ngnix:1.27.3"      # double-quoted value',
                     "-        - image: 'k8s.gcr.io/pause:3.9'  # single-quoted, key order: image first",
                     '-  - {name: c, image: "regsitry.k8s.io/pause:3.9"}']
    assert plus == ["+" + FIXED_LINES[n] for n in sorted(FIXED_LINES)]


def test_diff_without_fixes_is_empty_and_clean(tmp_path: Path) -> None:
    write(tmp_path, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: nginx:1.27}\n")
    r = run_cli("--diff", *QUIET, "deploy.yaml", cwd=tmp_path)
    assert (r.returncode, r.stdout) == (0, "")


def test_stdin_is_never_written_but_can_be_diffed(tmp_path: Path) -> None:
    r = run_cli("--fix", *QUIET, "-", cwd=tmp_path, stdin=MANIFEST)
    assert "<stdin>: not fixed: input from stdin is never modified (use --diff)" in r.stderr
    assert r.returncode == 1 and "[image-typo]" in r.stdout
    assert list(tmp_path.iterdir()) == []
    d = run_cli("--diff", *QUIET, "-", cwd=tmp_path, stdin=MANIFEST)
    assert d.returncode == 1 and d.stdout.startswith("--- a/<stdin>\n+++ b/<stdin>\n")


def test_helm_rendered_file_is_refused(tmp_path: Path) -> None:
    text = "---\n# Source: payments/templates/deployment.yaml\n" + MANIFEST.split("---\n")[0].replace("# payments: a comment at the top stays\n", "")
    p = write(tmp_path, text)
    r = run_cli("--fix", *QUIET, str(p), cwd=tmp_path)
    assert p.read_text() == text
    assert "not fixed: the file holds Helm-rendered output (from payments/templates/deployment.yaml)" in r.stderr
    assert "fix to the chart's template or values" in r.stderr
    assert r.returncode == 1


# An Opaque Secret holding a docker config (auth "robot:S3cretPW") that a Pod uses as its pull secret:
# the fix sets its type, and the diff's other lines of that Secret must not show the data.
DOCKERCONFIGJSON = "eyJhdXRocyI6eyJyZWdpc3RyeS5leGFtcGxlLmNvbSI6eyJhdXRoIjoiY205aWIzUTZVek5qY21WMFVGYz0ifX19"
OPAQUE_SECRET = f"""\
apiVersion: v1
kind: Secret
metadata: {{name: regcred}}
type: Opaque
data:
  .dockerconfigjson: {DOCKERCONFIGJSON}
---
apiVersion: v1
kind: Pod
metadata: {{name: app}}
spec:
  imagePullSecrets: [{{name: regcred}}]
  containers:
  - name: app
    image: registry.example.com/team/app:1.0
"""


def test_diff_redacts_a_secrets_data_but_shows_its_fixed_type(tmp_path: Path) -> None:
    p = write(tmp_path, OPAQUE_SECRET, "r2.yaml")
    r = run_cli("--diff", "--color", "never", "r2.yaml", cwd=tmp_path)
    assert r.stdout == """\
--- a/r2.yaml
+++ b/r2.yaml
@@ -1,7 +1,7 @@
 apiVersion: v1
 kind: Secret
 metadata: {name: regcred}
-type: Opaque
+type: kubernetes.io/dockerconfigjson
 <redacted>
   .dockerconfigjson: <redacted>
 ---
"""
    assert DOCKERCONFIGJSON[:12] not in r.stdout + r.stderr and "S3cretPW" not in r.stdout + r.stderr
    assert p.read_text() == OPAQUE_SECRET


def test_fix_writes_the_secrets_data_unredacted(tmp_path: Path) -> None:
    p = write(tmp_path, OPAQUE_SECRET)
    run_cli("--fix", "--color", "never", str(p), cwd=tmp_path)
    assert p.read_text() == OPAQUE_SECRET.replace("type: Opaque", "type: kubernetes.io/dockerconfigjson")


def test_diff_redacts_only_the_secret_document_of_a_mixed_file(tmp_path: Path) -> None:
    deployment = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      imagePullSecrets: [{name: regcred}]
      containers:
      - name: web
        image: ngnix:1.27
        args: [--password-file, /run/pw]
---
"""
    secret = OPAQUE_SECRET.split("---\n")[0].replace("metadata: {name: regcred}\ntype: Opaque", "type: Opaque\nmetadata: {name: regcred}")
    write(tmp_path, deployment + secret)
    r = run_cli("--diff", *QUIET, "deploy.yaml", cwd=tmp_path)
    assert r.stdout == """\
--- a/deploy.yaml
+++ b/deploy.yaml
@@ -9,12 +9,12 @@
       imagePullSecrets: [{name: regcred}]
       containers:
       - name: web
-        image: ngnix:1.27
+        image: nginx:1.27
         args: [--password-file, /run/pw]
 ---
 apiVersion: v1
 kind: Secret
-type: Opaque
+type: kubernetes.io/dockerconfigjson
 metadata: {name: regcred}
 <redacted>
   .dockerconfigjson: <redacted>
"""


def test_diff_redacts_a_document_that_did_not_parse_in_a_file_with_secrets(tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: ngnix:1.27\n---\nkind: Secret\nstringData: {password: \"s3cr3tvalue\n"
    write(tmp_path, text)
    r = run_cli("--diff", *QUIET, "deploy.yaml", cwd=tmp_path)
    assert r.stdout.endswith("""\
-    image: ngnix:1.27
+    image: nginx:1.27
 ---
 kind: Secret
 stringData: <redacted>
""")


def test_no_newline_at_end_of_file_is_marked() -> None:
    out = unified_diff("a: 1\nimage: x", "a: 1\nimage: y", "f.yaml")
    assert out.endswith("-image: x\n\\ No newline at end of file\n+image: y\n\\ No newline at end of file\n")


# -- atomic write -------------------------------------------------------------------------------


@pytest.mark.parametrize("fail_at", ["fsync", "replace"])
def test_failed_write_leaves_the_original_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: str) -> None:
    p = write(tmp_path, MANIFEST)
    before = sorted(os.listdir(tmp_path))

    def boom(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(f"pullcheck.fixer.os.{fail_at}", boom)
    eng = engine()
    result = fix_sources(eng, [Source("deploy.yaml", str(p))])
    assert p.read_text() == MANIFEST
    assert sorted(os.listdir(tmp_path)) == before  # no temporary file left behind
    assert eng.errors == ["deploy.yaml: cannot write the fixes (No space left on device); file left unchanged"]
    assert result.changes == []
    assert {f.rule for f in result.findings} >= {"image-typo", "moved-registry"}  # reported against the real file


# -- the span edit itself -----------------------------------------------------------------------


def finding(line: int, col: int, end: int, image: str, replacement: str, rule: str = "image-typo") -> Finding:
    return Finding(rule, "error", "m", "f.yaml", Span(line, col, line, end), image=image, fix=Fix(replacement, "d"))


def test_apply_fixes_is_an_exact_span_edit() -> None:
    text = "a: 1\nimage: ngnix:1  # c\nb: [x, \"ngnix:1\"]\n"
    fixes = [finding(2, 8, 15, "ngnix:1", "nginx:1"), finding(3, 9, 16, "ngnix:1", "nginx:1")]
    new, applied, skipped = apply_fixes(text, fixes)
    assert new == "a: 1\nimage: nginx:1  # c\nb: [x, \"nginx:1\"]\n"
    assert len(applied) == 2 and skipped == []


def test_apply_fixes_skips_mismatch_overlap_and_unsafe_replacements() -> None:
    text = "image: ngnix:1\n"
    new, applied, skipped = apply_fixes(text, [finding(1, 8, 15, "other:1", "nginx:1")])
    assert new == text and applied == [] and "escapes" in skipped[0]
    new, applied, _ = apply_fixes(text, [finding(1, 8, 15, "ngnix:1", "nginx:1"),
                                         finding(1, 8, 15, "ngnix:1", "x/nginx:1", "moved-registry")])
    assert new == "image: nginx:1\n" and [f.rule for f in applied] == ["image-typo"]
    new, applied, skipped = apply_fixes(text, [finding(1, 8, 15, "ngnix:1", "nginx:1 # x")])
    assert new == text and "quoting" in skipped[0]


def test_line_starts_follow_yaml_line_breaks() -> None:
    assert line_starts("a\r\nb\rc\nd\u2028e") == [0, 3, 5, 7, 9]
