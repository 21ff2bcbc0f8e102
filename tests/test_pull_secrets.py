"""Pull-secret scenarios: each fixture under fixtures/pull-secrets/ with the exact findings it must give.

Only the pull-secret family is compared (other rules have their own tests); every expected finding
is (rule id, line, column) in the fixture file, and the list must match exactly, in report order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, lint, lint_files, where
from pullcheck.rules import pull_secrets

FIXTURES = ROOT / "tests" / "fixtures" / "pull-secrets"
PULL_RULES = frozenset(
    {
        "missing-pull-secret",
        "service-account-secrets-ignored",
        "pull-secret-not-found",
        "pull-secret-wrong-namespace",
        "pull-secret-invalid",
        "pull-secret-registry-mismatch",
        "pull-field-invalid",
        "pull-policy-never",
        "dockerhub-rate-limit",
    }
)

HUB_PRIVATE = {"registries": {"private": ["docker.io/acme"]}}
DECLARED = {"service-accounts": {"ci/builder": ["regcred"]}, "pull-secrets": {"external": ["ci/regcred"]}}
COMPLETE = {"pull-secrets": {"complete": True}}

# (scenario id, fixture, config, expected [(rule, line, column)])
SCENARIOS: list[tuple[str, str, dict[str, Any], list[tuple[str, int, int]]]] = [
    ("covered only through the ServiceAccount", "covered-by-service-account.yaml", {}, []),
    ("ServiceAccount's secret is for another registry", "service-account-wrong-registry.yaml", {},
     [("pull-secret-registry-mismatch", 10, 14)]),
    ("secret in another namespace", "secret-in-other-namespace.yaml", {}, [("pull-secret-wrong-namespace", 8, 13)]),
    ("key registry.example.com, image registry.example.com:5000/app", "port-not-covered.yaml", {},
     [("pull-secret-registry-mismatch", 12, 14)]),
    ("key https://registry.example.com:5000/v2/ covers :5000", "port-covered.yaml", {}, []),
    ("https://index.docker.io/v1/ key, docker.io/acme/app and nginx", "dockerhub-index-v1-key.yaml", {}, []),
    ("https://index.docker.io/v1/ key, docker.io/acme private", "dockerhub-index-v1-key.yaml", HUB_PRIVATE, []),
    ("registry-1.docker.io key for a Docker Hub image", "dockerhub-registry-1-key.yaml", {},
     [("pull-secret-registry-mismatch", 12, 14)]),
    ("wildcard key *.example.com: one label yes, two no", "wildcard-key.yaml", {},
     [("pull-secret-registry-mismatch", 14, 14)]),
    ("key with a path covers only that prefix", "path-prefix-key.yaml", {}, [("pull-secret-registry-mismatch", 13, 14)]),
    ("legacy kubernetes.io/dockercfg secret", "legacy-dockercfg.yaml", {}, []),
    ("SealedSecret counts as present (content unknown)", "sealed-secret.yaml", {}, []),
    ("ExternalSecret target counts as present", "external-secret.yaml", {}, []),
    ("pull secret not in the run (CronJob)", "not-found.yaml", {}, [("pull-secret-not-found", 14, 21)]),
    ("pull secret not in the run, pull-secrets.complete", "not-found.yaml", COMPLETE, [("pull-secret-not-found", 14, 21)]),
    ("Opaque secret used as a pull secret", "opaque-secret-used.yaml", {}, [("pull-secret-invalid", 18, 7)]),
    ("secret without type used as a pull secret", "secret-without-type.yaml", {}, [("pull-secret-invalid", 16, 9)]),
    ("dockerconfigjson type with a .dockercfg key", "type-key-mismatch.yaml", {}, [("pull-secret-invalid", 8, 3)]),
    ("plain JSON under data (not base64)", "data-not-base64.yaml", {}, [("pull-secret-invalid", 9, 23)]),
    ("content is not JSON", "not-json.yaml", {}, [("pull-secret-invalid", 9, 5)]),
    ("legacy map stored as .dockerconfigjson (no auths)", "legacy-format-in-dockerconfigjson.yaml", {},
     [("pull-secret-invalid", 9, 23)]),
    ("auths wrapper inside a legacy .dockercfg", "auths-in-dockercfg.yaml", {}, [("pull-secret-invalid", 8, 16)]),
    ("auth that is not base64(user:password)", "auth-not-user-password.yaml", {}, [("pull-secret-invalid", 21, 23)]),
    ("only credsStore/credHelpers", "creds-store-only.yaml", {}, [("pull-secret-invalid", 9, 23)]),
    ("type misspelled kubernetes.io/dockerconfig", "wrong-type-typo.yaml", {}, [("pull-secret-invalid", 6, 7)]),
    ("docker config written as a YAML mapping", "stringdata-mapping.yaml", {}, [("pull-field-invalid", 10, 5)]),
    ("no pull secret, ServiceAccount in the run has none", "missing-pull-secret.yaml", {}, [("missing-pull-secret", 19, 18)]),
    ("no pull secret, ServiceAccount not in the run", "service-account-not-in-run.yaml", {}, [("missing-pull-secret", 10, 14)]),
    ("ECR, Artifact Registry, ACR without secrets (notes)", "credential-provider-registry.yaml", {},
     [("missing-pull-secret", 9, 14), ("missing-pull-secret", 11, 14), ("missing-pull-secret", 13, 14)]),
    ("credential providers switched off", "credential-provider-registry.yaml",
     {"rules": {"missing-pull-secret": {"credential-providers": "off"}}}, []),
    ("pod's own list hides the ServiceAccount's", "service-account-secrets-ignored.yaml", {},
     [("service-account-secrets-ignored", 16, 3)]),
    ("always, [name], on a container, imagePullSecret", "pull-fields.yaml", {},
     [("pull-field-invalid", 11, 7), ("missing-pull-secret", 15, 18), ("pull-field-invalid", 16, 28),
      ("pull-field-invalid", 17, 11), ("pull-field-invalid", 26, 22)]),
    ("imagePullPolicy: Never", "pull-policy-never.yaml", {}, [("pull-policy-never", 9, 24)]),
    ("anonymous Docker Hub pull; mirror.gcr.io is not Hub", "dockerhub-anonymous.yaml", {},
     [("dockerhub-rate-limit", 19, 18)]),
    ("apply namespace default: secret is in prod", "apply-namespace.yaml", {}, [("pull-secret-wrong-namespace", 8, 13)]),
    ("apply namespace prod (--namespace prod)", "apply-namespace.yaml", {"namespace": "prod"}, []),
    ("Docker Hub repo public by default", "private-hub-repo.yaml", {}, [("dockerhub-rate-limit", 16, 14)]),
    ("Docker Hub org private by config", "private-hub-repo.yaml", HUB_PRIVATE, [("missing-pull-secret", 16, 14)]),
    ("ServiceAccount and secret not declared", "declared-in-config.yaml", {},
     [("missing-pull-secret", 11, 14), ("pull-secret-not-found", 20, 13)]),
    ("ServiceAccount and secret declared in config", "declared-in-config.yaml", DECLARED, []),
    ("ServiceAccount names a missing secret", "service-account-secret-not-found.yaml", {}, [("pull-secret-not-found", 7, 11)]),
    ("annotation and comment suppression", "suppressed.yaml", {}, []),
    ("typos of public names are image-typo's", "typo-of-public-registry.yaml", {}, []),
    ("typos of public names, image-typo off", "typo-of-public-registry.yaml", {"rules": {"image-typo": "off"}},
     [("missing-pull-secret", 9, 14), ("dockerhub-rate-limit", 11, 14), ("pull-secret-registry-mismatch", 29, 14)]),
]


def _pull(findings: list[Any]) -> list[Any]:
    return [f for f in findings if f.rule in PULL_RULES]


@pytest.mark.parametrize(("fixture", "config", "expected"), [s[1:] for s in SCENARIOS], ids=[s[0] for s in SCENARIOS])
def test_scenario(fixture: str, config: dict[str, Any], expected: list[tuple[str, int, int]]) -> None:
    findings = _pull(lint_files([FIXTURES / fixture], config))
    assert where(findings) == expected, [f.message for f in findings]


def test_a_large_run_analyses_its_pods_again_per_rule_with_the_same_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past SHARED_ANALYSIS_PODS pods the analysis is not kept for the run: each rule computes it."""
    every = sorted({s[1] for s in SCENARIOS})
    kept = [(f.rule, f.path, f.span, f.message) for f in _pull(lint_files([FIXTURES / n for n in every], {}))]
    assert len(kept) > 30
    monkeypatch.setattr(pull_secrets, "SHARED_ANALYSIS_PODS", 0)
    again = [(f.rule, f.path, f.span, f.message) for f in _pull(lint_files([FIXTURES / n for n in every], {}))]
    assert again == kept


def test_every_fixture_is_a_scenario() -> None:
    used = {s[1] for s in SCENARIOS}
    assert used == {p.name for p in FIXTURES.glob("*.yaml")}
    assert len(SCENARIOS) >= 25


def _one(fixture: str, config: dict[str, Any] | None = None) -> Any:
    findings = _pull(lint_files([FIXTURES / fixture], config or {}))
    assert len(findings) == 1, [f.message for f in findings]
    return findings[0]


def test_levels_follow_config() -> None:
    assert _one("not-found.yaml").level == "note"
    assert _one("not-found.yaml", COMPLETE).level == "error"
    assert _one("not-found.yaml", {"rules": {"pull-secret-not-found": "warning"}}).level == "warning"
    levels = {f.level for f in _pull(lint_files([FIXTURES / "credential-provider-registry.yaml"]))}
    assert levels == {"note"}
    cfg = {"rules": {"missing-pull-secret": {"credential-providers": "warning"}}}
    assert {f.level for f in _pull(lint_files([FIXTURES / "credential-provider-registry.yaml"], cfg))} == {"warning"}
    assert _one("service-account-not-in-run.yaml").level == "warning"
    # a level for the whole rule leaves the one its credential-providers option sets (EKS users
    # raising missing-pull-secret to error must not fail on every ECR image)
    raised = {"rules": {"missing-pull-secret": "error"}}
    assert {f.level for f in _pull(lint_files([FIXTURES / "credential-provider-registry.yaml"], raised))} == {"note"}
    raised = {"rules": {"missing-pull-secret": {"level": "error", "credential-providers": "warning"}}}
    assert {f.level for f in _pull(lint_files([FIXTURES / "credential-provider-registry.yaml"], raised))} == {"warning"}
    assert _one("service-account-not-in-run.yaml", {"rules": {"missing-pull-secret": "error"}}).level == "error"


def test_messages_explain_the_miss() -> None:
    assert "has no port, and the kubelet matches ports exactly" in _one("port-not-covered.yaml").message
    assert "never matches Docker Hub images" in _one("dockerhub-registry-1-key.yaml").message
    assert 'a "*" matches exactly one host label' in _one("wildcard-key.yaml").message
    assert 'covers only repositories under "team"' in _one("path-prefix-key.yaml").message
    assert "base64-encoded twice" in _one("auth-not-user-password.yaml").message
    assert "fails every pull" in _one("auth-not-user-password.yaml").message
    sa = _one("service-account-not-in-run.yaml").message
    assert '"api" is not in the run' in sa and 'service-accounts: {"shop/api": [<secret>]}' in sa
    assert '"mirror-cred" is not used' in _one("service-account-secrets-ignored.yaml").message


def test_mismatch_points_at_the_secret_as_related() -> None:
    f = _one("port-not-covered.yaml")
    assert [(r.span.line, r.span.column) for r in f.related] == [(17, 9)]
    assert '"registry.example.com"' in f.related[0].message
    wrong = _one("secret-in-other-namespace.yaml")
    assert [(r.span.line, r.span.column) for r in wrong.related] == [(16, 9)]


def test_fixes_are_exact() -> None:
    fields = {(f.span.line, f.span.column): f.fix for f in _pull(lint_files([FIXTURES / "pull-fields.yaml"])) if f.fix}
    assert {k: v.replacement for k, v in fields.items() if v} == {
        (11, 7): "imagePullSecrets",
        (16, 28): "Always",
        (26, 22): "{name: regcred}",
    }
    typo = _one("wrong-type-typo.yaml")
    assert typo.fix is not None and typo.fix.replacement == "kubernetes.io/dockerconfigjson"
    opaque = _one("opaque-secret-used.yaml")
    assert opaque.fix is not None and opaque.fix.replacement == "kubernetes.io/dockerconfigjson"


def _run(paths: list[Path], jobs: int) -> list[Any]:
    from pullcheck.config import Config
    from pullcheck.engine import Engine, RunOptions
    from pullcheck.rule import all_rules
    from pullcheck.sources import Source

    rules, _ = all_rules(with_plugins=False)
    findings, _ = Engine(Config(), rules, RunOptions(jobs=jobs)).run([Source(str(p), str(p)) for p in paths])
    return findings


def test_facts_survive_pickling_and_merge_across_files(tmp_path: Path) -> None:
    """Secrets in one file cover pods in another, also when files are linted in worker processes."""
    import pickle

    from pullcheck.index import Index

    pod = (FIXTURES / "port-not-covered.yaml").read_text().split("---")[0]
    secret = "---".join((FIXTURES / "port-not-covered.yaml").read_text().split("---")[1:])
    paths = []
    for i in range(30):  # enough files for the engine to use its process pool
        p = tmp_path / f"pod{i:02}.yaml"
        p.write_text(pod)
        paths.append(p)
    s = tmp_path / "zz-secret.yaml"
    s.write_text(secret)
    serial = where(_pull(lint_files([*paths, s])))
    parallel = where(_pull(_run([*paths, s], jobs=4)))
    assert serial == parallel == [("pull-secret-registry-mismatch", 12, 14)] * 30
    from pullcheck.config import Config
    from pullcheck.engine import Engine
    from pullcheck.rule import all_rules
    from pullcheck.sources import Source

    rules, _ = all_rules(with_plugins=False)
    fixture = FIXTURES / "service-account-secrets-ignored.yaml"
    idx = Engine(Config(), rules).lint_file(Source(str(fixture), str(fixture))).index
    back: Index = pickle.loads(pickle.dumps(idx))
    assert back.pulls == idx.pulls
    assert sorted(back.pulls.secrets) == [("shop", "mirror-cred"), ("shop", "regcred")]
    assert back.pulls.secrets[("shop", "regcred")][0].keys == ("registry.example.com",)
    assert "cm9ib3Q6czNjcmV0" not in repr(back.pulls)


def test_service_account_with_own_list_in_same_run_is_merged_by_name() -> None:
    text = """
    apiVersion: v1
    kind: Pod
    metadata: {name: a, namespace: ns}
    spec:
      serviceAccountName: builder
      containers:
      - name: a
        image: registry.example.com/a:1
    """
    assert where(_pull(lint(text))) == [("missing-pull-secret", 9, 12)]
    declared = {"service-accounts": {"ns/builder": ["regcred"]}}
    assert _pull(lint(text, declared)) == []


def test_fatal_secret_is_reported_even_when_unused() -> None:
    text = """
    apiVersion: v1
    kind: Secret
    metadata: {name: s}
    type: kubernetes.io/dockerconfigjson
    data:
      .dockerconfigjson: "not base64!"
    """
    assert where(_pull(lint(text))) == [("pull-secret-invalid", 7, 23)]


def test_unrendered_secret_is_unknown_not_invalid() -> None:
    text = """
    apiVersion: v1
    kind: Secret
    metadata: {name: s}
    type: kubernetes.io/dockerconfigjson
    stringData:
      .dockerconfigjson: '{"auths": {"${REGISTRY}": {"auth": "${AUTH}"}}}'
    """
    assert _pull(lint(text)) == []


def test_argo_workflow_pull_secrets_apply_to_its_templates() -> None:
    text = """
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata: {name: w, namespace: ci}
    spec:
      imagePullSecrets:
      - name: regcred
      templates:
      - name: main
        container:
          image: registry.example.com:5000/ci/tool:1
    ---
    apiVersion: v1
    kind: Secret
    metadata: {name: regcred, namespace: ci}
    type: kubernetes.io/dockerconfigjson
    stringData:
      .dockerconfigjson: '{"auths": {"registry.example.com": {"username": "u", "password": "p"}}}'
    """
    assert where(_pull(lint(text))) == [("pull-secret-registry-mismatch", 11, 14)]


def test_sarif_carries_the_secret_as_related_location() -> None:
    import json

    from conftest import run_cli

    res = run_cli(str(FIXTURES / "port-not-covered.yaml"), "--format", "sarif", cwd=ROOT)
    assert res.returncode == 1, res.stderr
    results = json.loads(res.stdout)["runs"][0]["results"]
    hit = [r for r in results if r["ruleId"] == "pull-secret-registry-mismatch"]
    assert len(hit) == 1
    region = hit[0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (12, 14)
    related = hit[0]["relatedLocations"][0]["physicalLocation"]["region"]
    assert (related["startLine"], related["startColumn"]) == (17, 9)


def test_namespace_flag_sets_the_apply_namespace() -> None:
    import json

    from conftest import run_cli

    fixture = str(FIXTURES / "apply-namespace.yaml")
    default = json.loads(run_cli(fixture, "--format", "json", cwd=ROOT).stdout)["findings"]
    assert [(f["rule"], f["line"], f["column"]) for f in default if f["rule"] in PULL_RULES] == [
        ("pull-secret-wrong-namespace", 8, 13)
    ]
    res = run_cli(fixture, "--format", "json", "--namespace", "prod", cwd=ROOT)
    assert res.returncode == 0, res.stdout
    assert [f for f in json.loads(res.stdout)["findings"] if f["rule"] in PULL_RULES] == []


def test_a_typo_is_reported_once_as_a_typo() -> None:
    """regsitry.k8s.io is a misspelled public registry, not a private one needing a secret; ngnix and
    ghrc.io are no Docker Hub image to rate-limit nor a registry the secret should cover."""
    findings = lint_files([FIXTURES / "typo-of-public-registry.yaml"])
    assert where(findings) == [("image-typo", 9, 14), ("image-typo", 11, 14), ("image-typo", 29, 14)]


def test_suppression_scenario_has_something_to_suppress() -> None:
    text = (FIXTURES / "suppressed.yaml").read_text()
    bare = "\n".join(
        line.split("  # pullcheck")[0] for line in text.splitlines() if "annotations:" not in line and "pullcheck.dev/" not in line
    )
    assert where(_pull(lint(bare))) == [("pull-secret-not-found", 8, 13), ("pull-policy-never", 14, 24)]


def _hub_pod(key: str, image: str) -> str:
    """A pod pulling ``image`` with one pull secret whose only registry key is ``key``."""
    return f"""\
apiVersion: v1
kind: Secret
metadata: {{name: hub}}
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{{"auths": {{"{key}": {{"auth": "cm9ib3Q6czNjcmV0"}}}}}}'
---
apiVersion: v1
kind: Pod
metadata: {{name: web}}
spec:
  imagePullSecrets: [{{name: hub}}]
  containers:
  - name: web
    image: {image}
"""


@pytest.mark.parametrize("key", ["registry-1.docker.io", "hub.docker.com", "https://registry-1.docker.io/v2/"])
def test_a_hub_look_alike_key_warns_for_a_public_image(key: str) -> None:
    """The key never matches, so the kubelet pulls anonymously: that works for a public image (rate-limited)."""
    findings = _pull(lint(_hub_pod(key, "nginx:1.27.3")))
    assert [(f.rule, f.span.line, f.span.column, f.level) for f in findings] == [
        ("pull-secret-registry-mismatch", 15, 12, "warning")
    ]
    assert findings[0].message == (
        f'none of the pod\'s pull secrets ("hub") has credentials for docker.io ("{key}" never matches Docker Hub '
        'images; write the key as "https://index.docker.io/v1/" or "docker.io"): the kubelet pulls the public image '
        '"nginx:1.27.3" anonymously, which works until the rate limit: anonymous pulls are limited to 100 per 6 '
        'hours per IP address, shared by all nodes behind one NAT, then fail with "toomanyrequests"'
    )
    assert [r.message for r in findings[0].related] == [f'Secret "hub" holds credentials for "{key}"']


def test_a_hub_look_alike_key_is_an_error_for_a_private_image() -> None:
    findings = _pull(lint(_hub_pod("registry-1.docker.io", "acme/app:1.0"), HUB_PRIVATE))
    assert [(f.rule, f.span.line, f.span.column, f.level) for f in findings] == [
        ("pull-secret-registry-mismatch", 15, 12, "error")
    ]
    assert findings[0].message == (
        'none of the pod\'s pull secrets ("hub") has credentials for docker.io ("registry-1.docker.io" never matches '
        'Docker Hub images; write the key as "https://index.docker.io/v1/" or "docker.io"): the kubelet pulls '
        '"acme/app:1.0" anonymously and the registry refuses it'
    )


def test_an_empty_pull_policy_is_defaulted_not_invalid() -> None:
    """The API server defaults "" like an absent policy: Always for nginx:latest. " " is no policy; the
    schema runs on this pod (the quick check refuses " ") and must accept "" and null there too."""
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - {name: empty, image: "nginx:latest", imagePullPolicy: ""}
  - {name: unset, image: "nginx:1.27.3", imagePullPolicy: null}
  - {name: blank, image: "nginx:1.27.3", imagePullPolicy: " "}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default}
"""
    findings = _pull(lint(text))
    assert where(findings) == [
        ("dockerhub-rate-limit", 6, 27),
        ("dockerhub-rate-limit", 7, 27),
        ("dockerhub-rate-limit", 8, 27),
        ("pull-field-invalid", 8, 60),
    ]
    limited = (
        "is pulled from Docker Hub without credentials: anonymous pulls are limited to 100 per 6 hours per IP "
        'address, shared by all nodes behind one NAT, then fail with "toomanyrequests"'
    )
    assert [f.message for f in findings] == [
        f'image "nginx:latest" {limited}; with imagePullPolicy Always every container start pulls',
        f'image "nginx:1.27.3" {limited}',
        f'image "nginx:1.27.3" {limited}',
        'imagePullPolicy " " is not one of Always, IfNotPresent, Never (case matters)',
    ]


def test_the_quick_check_and_the_schema_accept_an_empty_pull_policy() -> None:
    from pullcheck import pullfields

    for policy in ("", None, "Always"):
        assert pullfields._quick_ok_container({"imagePullPolicy": policy})
        assert pullfields._validator("container").is_valid({"imagePullPolicy": policy})
    assert not pullfields._validator("container").is_valid({"imagePullPolicy": " "})


def test_the_default_policy_of_latest_beside_a_digest_is_always() -> None:
    """image-references.md §6: the tag decides, a digest beside "latest" does not make it IfNotPresent."""
    digest = "sha256:" + "0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31"
    text = f"""\
apiVersion: v1
kind: Pod
metadata: {{name: web}}
spec:
  containers:
  - {{name: pinned, image: "nginx:latest@{digest}"}}
  - {{name: digest, image: "nginx@{digest}"}}
  - {{name: bare, image: nginx}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: default}}
"""
    findings = _pull(lint(text))
    assert where(findings) == [("dockerhub-rate-limit", 6, 28), ("dockerhub-rate-limit", 7, 28), ("dockerhub-rate-limit", 8, 25)]
    always = "; with imagePullPolicy Always every container start pulls"
    assert [f.message.endswith(always) for f in findings] == [True, False, True]
    assert findings[0].message.startswith(f'image "nginx:latest@{digest}" is pulled from Docker Hub without credentials')


GEN_CRED = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
secretGenerator:
- name: gen-cred
  files: [.dockerconfigjson=config.json]
"""
GENERATED = GEN_CRED + """\
- name: typed-gen
  type: Opaque
  literals: [".dockercfg={}"]
- name: merged-gen
  behavior: merge
  files: [secrets/.dockerconfigjson]
- name: pull-gen
  type: kubernetes.io/dockerconfigjson
  files: [secrets/.dockerconfigjson]
---
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata: {name: es}
spec:
  target:
    name: eso-cred
    template: {type: Opaque}
---
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata: {name: es-keyed}
spec:
  target:
    name: eso-keyed
    template:
      type: Opaque
  data:
  - secretKey: .dockerconfigjson
    remoteRef: {key: registry/pull}
---
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata: {name: es-untyped}
spec:
  target: {name: eso-untyped}
---
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata: {name: es-merged}
spec:
  target: {name: eso-merged, creationPolicy: Merge, template: {type: Opaque}}
---
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {name: sealed-cred}
spec:
  encryptedData:
    .dockerconfigjson: AgBy3i4OJSWK+PiTySYZZA==
---
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {name: sealed-typed}
spec:
  encryptedData:
    .dockerconfigjson: AgBy3i4OJSWK+PiTySYZZA==
  template:
    type: kubernetes.io/dockerconfigjson
---
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {name: sealed-legacy}
spec:
  data: AgBy3i4OJSWK+PiTySYZZA==
---
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  imagePullSecrets:
  - name: gen-cred
  - name: typed-gen
  - name: merged-gen
  - name: pull-gen
  - name: eso-cred
  - name: eso-keyed
  - name: eso-untyped
  - name: eso-merged
  - name: sealed-cred
  - name: sealed-typed
  - name: sealed-legacy
  containers:
  - name: app
    image: registry.example.com/team/app:1.0
"""


def test_generated_secrets_that_are_certainly_opaque_are_reported_like_an_opaque_secret() -> None:
    """kustomize and the API server default an unset type to Opaque; an ExternalSecret without a type
    keeps the existing Secret's, a merge is decided elsewhere, a legacy SealedSecret brings its own."""
    findings = _pull(lint(GENERATED))
    opaque = "the kubelet reads pull credentials only from a Secret of type"
    assert [(f.rule, f.span.line, f.span.column, f.message) for f in findings] == [
        ("pull-secret-invalid", 4, 9, 'Kustomization secretGenerator "gen-cred" holds ".dockerconfigjson" but has no '
         f"type (so kustomize makes it Opaque): {opaque} kubernetes.io/dockerconfigjson"),
        ("pull-secret-invalid", 7, 9, 'Kustomization secretGenerator "typed-gen" holds ".dockercfg" but has type '
         f"Opaque: {opaque} kubernetes.io/dockercfg"),
        ("pull-secret-invalid", 22, 22, 'ExternalSecret "es" has template type Opaque, not a docker config: the '
         "kubelet ignores it as a pull secret"),
        ("pull-secret-invalid", 31, 13, 'ExternalSecret "es-keyed" holds ".dockerconfigjson" but has template type '
         f"Opaque: {opaque} kubernetes.io/dockerconfigjson"),
        ("pull-secret-invalid", 50, 18, 'SealedSecret "sealed-cred" holds ".dockerconfigjson" but has no template type '
         f"(so it unseals as Opaque): {opaque} kubernetes.io/dockerconfigjson"),
    ]
    assert [[(r.span.line, r.span.column) for r in f.related] for f in findings] == [
        [(75, 11)], [(76, 11)], [(79, 11)], [(80, 11)], [(83, 11)]
    ]
    # A written type is replaced; an unset one has no value to replace.
    assert [f.fix.replacement if f.fix else None for f in findings] == [
        None, "kubernetes.io/dockercfg", None, "kubernetes.io/dockerconfigjson", None
    ]


def test_a_generated_opaque_secret_is_reported_only_when_used_to_pull() -> None:
    unused = GENERATED.split("---\napiVersion: v1\nkind: Pod")[0]
    assert _pull(lint(unused)) == []


def test_a_generated_opaque_secret_holds_nothing_for_the_kubelet() -> None:
    """Beside a real pull secret for another registry, it does not make the miss "unknown"."""
    text = GEN_CRED + """\
---
apiVersion: v1
kind: Secret
metadata: {name: quay-cred}
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"auths": {"quay.io": {"auth": "cm9ib3Q6czNjcmV0"}}}'
---
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  imagePullSecrets: [{name: gen-cred}, {name: quay-cred}]
  containers:
  - name: app
    image: registry.example.com/team/app:1.0
"""
    findings = _pull(lint(text))
    assert where(findings) == [("pull-secret-invalid", 4, 9), ("pull-secret-registry-mismatch", 21, 12)]
    assert [r.message for r in findings[1].related] == [
        'Secret "gen-cred" has no usable credentials',
        'Secret "quay-cred" holds credentials for "quay.io"',
    ]


def _pod_beside_a_service_account(name: str, namespace: str) -> str:
    """A ServiceAccount with a pull secret in ``namespace``, and a pod in "shop" using ``name``."""
    return f"""\
        apiVersion: v1
        kind: ServiceAccount
        metadata: {{name: {name}, namespace: {namespace}}}
        imagePullSecrets: [{{name: regcred}}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {{name: p, namespace: shop}}
        spec:
          serviceAccountName: {name}
          containers:
          - {{name: a, image: "registry.acme.corp/app:1.0"}}
        """


def test_a_service_account_of_another_namespace_is_named_as_such() -> None:
    """The ServiceAccount is in the run, but not in the pod's namespace: say so, not "not in the run"."""
    (f,) = [f for f in lint(_pod_beside_a_service_account("builder", "ci")) if f.rule == "missing-pull-secret"]
    assert (f.span.line, f.span.column, f.level) == (12, 23, "warning")
    assert f.message.endswith(
        'its ServiceAccount "builder" is not in its namespace "shop" (the run has one in "ci"): the API server '
        'refuses the pod unless "shop" has that ServiceAccount, and then only its pull secrets count'
    )


def test_the_default_service_account_of_another_namespace_is_not_named() -> None:
    """Every namespace has its own "default" ServiceAccount: one in another namespace says nothing."""
    (f,) = [f for f in lint(_pod_beside_a_service_account("default", "other")) if f.rule == "missing-pull-secret"]
    assert 'its ServiceAccount "default" is not in the run' in f.message and "other" not in f.message
