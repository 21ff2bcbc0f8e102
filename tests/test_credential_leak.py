"""No output format ever shows a credential: planted secrets are grepped for, plain and base64.

The fixture holds Secrets whose problems are reported right on their data (bad auth, not base64,
not JSON, a YAML mapping instead of a string, a duplicate key, a syntax error inside a Secret), so
every code frame, message, related location and fix would carry them if anything leaked.
"""

from __future__ import annotations

import base64

import pytest

from conftest import ROOT, run_cli

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
    from pathlib import Path

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
