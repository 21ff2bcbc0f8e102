"""No output format ever shows a credential: planted secrets are grepped for, plain and base64.

The fixture holds Secrets whose problems are reported right on their data (bad auth, not base64,
not JSON, a YAML mapping instead of a string, a duplicate key, a syntax error inside a Secret), so
every code frame, message, related location and fix would carry them if anything leaked.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from conftest import ROOT, lint_files, run_cli
from pullcheck.pullsecrets import normalize_key, shown_key

PLANTED = ROOT / "tests" / "fixtures" / "pull-secrets" / "leak" / "planted.yaml"
SECRETS = [
    "pcleakuser7Q",
    "pcleakpass9Z",
    "pcleaknocolon8W",
    "pcleakauthuser3K",
    "pcleakauthpass5M",
    "pcleakopaque4R",
    "pcleakopaquejson6Y",
    "pcleakmapping0P",
    "pcleakblock5N",
    "pcleakblockuser1A",
    "pcleakblockpass2B",
    "pcleaknotbase64!2V",
    "pcleaksyntax3S",
    "pcleaksyntaxjson4T",
]
# Rules whose findings sit on the planted data: if one of them stopped firing the test would prove nothing.
EXPECTED_RULES = ("pull-secret-invalid", "pull-field-invalid", "duplicate-key", "yaml-syntax", "pull-secret-registry-mismatch")


def _base64_forms(secret: str) -> set[str]:
    """The secret's base64 at each of the three alignments it can have inside a longer value."""
    forms = set()
    for pad in range(3):
        enc = base64.b64encode(b"\0" * pad + secret.encode()).decode().rstrip("=")
        forms.add(enc[4 if pad else 0 : -2])  # drop characters that depend on the neighbours
    return {f for f in forms if len(f) >= 8}


def _needles() -> dict[str, str]:
    needles = {s: s for s in SECRETS}
    for s in SECRETS:
        for form in _base64_forms(s):
            needles[form] = f"base64 of {s}"
    # Every base64 value written in the fixture (auth fields, whole data blobs), as written.
    for line in PLANTED.read_text().splitlines():
        for word in line.replace('"', " ").replace("'", " ").split():
            if len(word) >= 16 and word.rstrip("=").isalnum() and any(c.isdigit() for c in word):
                needles[word] = f"value {word[:6]}... from the fixture"
    return needles


def test_planted_values_are_in_the_fixture() -> None:
    text = PLANTED.read_text()
    for s in SECRETS:
        assert s in text or any(f in text for f in _base64_forms(s)), s


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_no_output_format_shows_a_credential(fmt: str) -> None:
    res = run_cli(str(PLANTED), "--format", fmt, cwd=ROOT)
    assert res.returncode == 1, res.stderr
    out = res.stdout + res.stderr
    for rule in EXPECTED_RULES:
        assert rule in out, f"{rule} no longer reported: the leak test would prove nothing"
    leaked = sorted({why for needle, why in _needles().items() if needle in out})
    assert leaked == [], f"{fmt} output shows {leaked}"


def test_no_credential_in_any_file_output(tmp_path: object) -> None:
    out_dir = Path(str(tmp_path))
    args = [str(PLANTED)]
    for fmt in ("text", "json", "sarif", "github"):
        args += ["--format", fmt, "--output", str(out_dir / f"out.{fmt}")]
    res = run_cli(*args, cwd=ROOT)
    assert res.returncode == 1, res.stderr
    needles = _needles()
    for fmt in ("text", "json", "sarif", "github"):
        written = (out_dir / f"out.{fmt}").read_text()
        assert "pull-secret-invalid" in written
        assert not [why for needle, why in needles.items() if needle in written], fmt


def test_the_check_catches_a_leak(monkeypatch: pytest.MonkeyPatch) -> None:
    """With redaction switched off the code frames do show planted values: the greps above can fail."""
    import pullcheck.engine
    from conftest import lint_files

    monkeypatch.setattr(pullcheck.engine, "redact", lambda line: line)
    frames = "\n".join(line for f in lint_files([PLANTED]) for line in f.snippet)
    assert [s for s in SECRETS if s in frames]
    assert [n for n in _needles() if n in frames and not n.startswith("pcleak")]


def test_the_diff_shows_no_credential() -> None:
    """``--diff`` prints the lines around a Secret's fix (its data among them) redacted as code frames are."""
    res = run_cli(str(PLANTED), "--diff", cwd=ROOT)
    assert "-type: Opaque\n+type: kubernetes.io/dockerconfigjson\n" in res.stdout, "no fix left: the test would prove nothing"
    assert "  password: <redacted>\n" in res.stdout
    leaked = sorted({why for needle, why in _needles().items() if needle in res.stdout + res.stderr})
    assert leaked == [], f"the diff shows {leaked}"


# -- registry keys written with userinfo -----------------------------------------------------------

# Each key carries a user and/or password (every one starts with "pcui"): a valid key with
# user:password, a user-only key without scheme, a key with an "auth" that is not base64, a key Go's
# URL parser refuses (a "/" in the password), a null entry, and a Docker Hub look-alike key.
USERINFO = """\
apiVersion: v1
kind: Secret
metadata: {name: regcred}
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"auths": {"https://pcuiuser1:pcuipass1@registry.example.com": {"auth": "cm9ib3Q6czNjcmV0"}, "pcuiuser2@quay.io": {"auth": "cm9ib3Q6czNjcmV0"}}}'
---
apiVersion: v1
kind: Secret
metadata: {name: badauth}
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"auths": {"http://pcuiuser3:pcuipass3@ghcr.io": {"auth": "not base64!"}}}'
---
apiVersion: v1
kind: Secret
metadata: {name: badurl}
type: kubernetes.io/dockercfg
stringData:
  .dockercfg: '{"pcuiuser4:pcui/pass4@registry.example.com": {"auth": "cm9ib3Q6czNjcmV0"}, "https://pcuiuser5:pcuipass5@gcr.io": null}'
---
apiVersion: v1
kind: Secret
metadata: {name: hub}
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"auths": {"https://pcuiuser6:pcuipass6@registry-1.docker.io/v2/": {"auth": "cm9ib3Q6czNjcmV0"}}}'
---
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  imagePullSecrets: [{name: regcred}, {name: badurl}]
  containers:
  - name: app
    image: registry.example.com:5000/team/app:1.0
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  imagePullSecrets: [{name: hub}]
  containers:
  - name: web
    image: nginx:1.27.3
"""
USERINFO_PLANTED = [
    "pcuiuser1", "pcuipass1", "pcuiuser2", "pcuiuser3", "pcuipass3", "pcuiuser4", "pcui/pass4", "pcuiuser5",
    "pcuipass5", "pcuiuser6", "pcuipass6",
]
_HUB_LIMIT = (
    "anonymous pulls are limited to 100 per 6 hours per IP address, shared by all nodes behind one NAT, then fail "
    'with "toomanyrequests"'
)
# (rule, line, column, message, related messages): every finding still reported, each key masked.
USERINFO_FINDINGS = [
    (
        "pull-secret-invalid", 13, 23,
        'Secret "badauth": stringData[.dockerconfigjson]: the "auth" of registry "http://***@ghcr.io" is not valid '
        "base64: the kubelet fails every pull of a pod that uses this secret",
        [],
    ),
    (
        "pull-secret-invalid", 20, 16,
        'Secret "badurl": stringData[.dockercfg]: registry "https://***@gcr.io" has no credentials (its entry is null)',
        ['used as a pull secret here ("badurl")'],
    ),
    (
        "pull-secret-invalid", 20, 16,
        'Secret "badurl": stringData[.dockercfg]: registry key "***@registry.example.com" is not a valid URL: the '
        "kubelet ignores this entry",
        ['used as a pull secret here ("badurl")'],
    ),
    (
        "pull-secret-registry-mismatch", 36, 12,
        'none of the pod\'s pull secrets ("regcred", "badurl") has credentials for registry.example.com:5000 '
        '("https://***@registry.example.com" has no port, and the kubelet matches ports exactly '
        '(registry.example.com:5000 has one)): the kubelet pulls "registry.example.com:5000/team/app:1.0" '
        "anonymously and the registry refuses it",
        [
            'Secret "regcred" holds credentials for "https://***@registry.example.com", "***@quay.io"',
            'Secret "badurl" holds credentials for "https://***@gcr.io"',
        ],
    ),
    (
        "pull-secret-registry-mismatch", 45, 12,
        'none of the pod\'s pull secrets ("hub") has credentials for docker.io ("https://***@registry-1.docker.io/v2/" '
        'never matches Docker Hub images; write the key as "https://index.docker.io/v1/" or "docker.io"): the kubelet '
        f'pulls the public image "nginx:1.27.3" anonymously, which works until the rate limit: {_HUB_LIMIT}',
        ['Secret "hub" holds credentials for "https://***@registry-1.docker.io/v2/"'],
    ),
]
# Where each format shows a finding: (rule, line, column) read back from its output.
_WHERE = {
    "text": lambda out: [
        (m[3], int(m[1]), int(m[2])) for m in re.finditer(r"^userinfo\.yaml:(\d+):(\d+): \w+ \[([\w-]+)\]", out, re.M)
    ],
    "github": lambda out: [
        (m[3], int(m[1]), int(m[2]))
        for m in re.finditer(r"^::\w+ file=userinfo\.yaml,line=(\d+),col=(\d+),.*title=pullcheck ([\w-]+)::", out, re.M)
    ],
    "json": lambda out: [(f["rule"], f["line"], f["column"]) for f in json.loads(out)["findings"]],
    "sarif": lambda out: [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
        )
        for r in json.loads(out)["runs"][0]["results"]
    ],
}


def _userinfo_needles() -> dict[str, str]:
    """Each planted user or password, plain and at each base64 alignment."""
    needles = {s: s for s in USERINFO_PLANTED}
    for s in USERINFO_PLANTED:
        needles.update({form: f"base64 of {s}" for form in _base64_forms(s)})
    return needles


def test_userinfo_keys_are_masked_in_every_message(tmp_path: Path) -> None:
    path = tmp_path / "userinfo.yaml"
    path.write_text(USERINFO, encoding="utf-8")
    findings = lint_files([path])
    shown = [(f.rule, f.span.line, f.span.column, f.message, [r.message for r in f.related]) for f in findings]
    assert shown == USERINFO_FINDINGS
    assert [f.level for f in findings] == ["error", "error", "error", "error", "warning"]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_no_output_format_shows_a_userinfo_key(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "userinfo.yaml").write_text(USERINFO, encoding="utf-8")
    res = run_cli("userinfo.yaml", "--format", fmt, cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    out = res.stdout + res.stderr
    assert _WHERE[fmt](res.stdout) == [(rule, line, col) for rule, line, col, _, _ in USERINFO_FINDINGS]
    for masked in ("http://***@ghcr.io", "***@registry.example.com", "https://***@registry-1.docker.io/v2/"):
        assert masked in out, f"{fmt} output lost the masked key {masked}"
    leaked = sorted({why for needle, why in _userinfo_needles().items() if needle in out})
    assert leaked == [], f"{fmt} output shows {leaked}"


def test_the_userinfo_check_catches_a_leak(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the masking switched off every planted password is in a message: the checks above can fail."""
    import pullcheck.dockerconfig
    import pullcheck.pullsecrets
    import pullcheck.rules.pull_secrets

    for module in (pullcheck.dockerconfig, pullcheck.pullsecrets, pullcheck.rules.pull_secrets):
        monkeypatch.setattr(module, "shown_key", lambda key: key)
    path = tmp_path / "userinfo.yaml"
    path.write_text(USERINFO, encoding="utf-8")
    text = "\n".join(m for f in lint_files([path]) for m in (f.message, *(r.message for r in f.related)))
    assert [s for s in USERINFO_PLANTED if s not in text] == []


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("https://robot:S3cretPW@registry.example.com", "https://***@registry.example.com"),
        ("http://robot@registry.example.com:5000/v2/", "http://***@registry.example.com:5000/v2/"),
        ("robot:S3cretPW@registry.example.com/team", "***@registry.example.com/team"),
        ("robot@quay.io", "***@quay.io"),
        ("https://robot:p@ss/w?o#rd@registry.example.com", "https://***@registry.example.com"),
        ("docker://robot:S3cretPW@registry.example.com", "***@registry.example.com"),
        ("https://index.docker.io/v1/", "https://index.docker.io/v1/"),
        ("registry.example.com:5000", "registry.example.com:5000"),
    ],
)
def test_shown_key_masks_userinfo_only(key: str, shown: str) -> None:
    assert shown_key(key) == shown


@given(
    scheme=st.sampled_from(["", "https://", "http://"]),
    user=st.text(min_size=1),
    password=st.none() | st.text(),
    rest=st.sampled_from(["registry.example.com", "registry.example.com:5000/v2/", "quay.io/team", "[::1]:5000"]),
)
def test_shown_key_never_shows_userinfo_and_keeps_the_rest(scheme: str, user: str, password: str | None, rest: str) -> None:
    userinfo = user if password is None else f"{user}:{password}"
    key = f"{scheme}{userinfo}@{rest}"
    assume(scheme or not key.startswith(("https://", "http://")))
    assert shown_key(key) == f"{scheme}***@{rest}"
    if normalize_key(key) is not None and not any(c in userinfo for c in "/?#"):
        assert normalize_key(shown_key(key)) == normalize_key(key)  # the host and path the kubelet matches


GENERATOR = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
secretGenerator:
- {name: inline, type: Opaque, literals: [".dockerconfigjson={\\"auths\\":{\\"quay.io\\":{\\"auth\\":\\"GENSECRETFLOW\\"}}}"]}
- name: regcred
  type: Opaque
  literals:
  - .dockerconfigjson={"auths":{"quay.io":{"auth":"GENSECRETBLOCK"}}}
  - password=GENSECRETPLAIN:x
---
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  imagePullSecrets: [{name: inline}, {name: regcred}]
  containers: [{name: app, image: quay.io/acme/app:1.2.3}]
"""


@pytest.mark.parametrize("args", [[], ["--format", "json"], ["--format", "sarif"], ["--format", "github"], ["--diff"]])
def test_a_secret_generators_literals_are_never_shown(tmp_path: Path, args: list[str]) -> None:
    """A Kustomization's secretGenerator holds credentials in its literals: its lines are redacted in
    frames and diffs as a Secret's are (its Opaque type is reported, with a fix, on those lines)."""
    (tmp_path / "k.yaml").write_text(GENERATOR)
    res = run_cli("k.yaml", "--color", "never", *args, cwd=tmp_path)
    assert "pull-secret-invalid" in res.stdout or res.stdout.startswith("--- a/k.yaml"), res.stdout
    assert "GENSECRET" not in res.stdout + res.stderr
