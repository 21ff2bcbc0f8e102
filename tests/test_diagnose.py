"""``pullcheck diagnose``: kubectl outputs in, one cause family per failing container out.

The messages are written from the documented shapes of the kubelet (image-references.md §7),
containerd (``failed to pull and unpack image``, ``failed to resolve reference``) and CRI-O
(``initializing source docker://...``, ``reading manifest X in Y``); the dumps under
tests/fixtures/diagnose are what ``kubectl get pods|events -o yaml|json`` and ``kubectl describe
pod`` print for them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, run_cli
from pullcheck import cli
from pullcheck.diagnose.classify import FAMILIES, TableError, _build, classify, classify_message, table
from pullcheck.diagnose.collect import Failure, collect, same_image
from pullcheck.diagnose.inputs import DumpError, parse_text, read_dump
from pullcheck.diagnose.related import owner_names

FIX = ROOT / "tests" / "fixtures" / "diagnose"
REL = Path("tests/fixtures/diagnose")  # for runs from ROOT: the lint findings then name relative paths
ALL_DUMPS = [FIX / n for n in ("pods.yaml", "events.yaml", "pod-debug.json", "events.json", "describe.txt")]


def diagnose(*args: str | Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``pullcheck diagnose`` in-process through the real CLI entry point."""
    code = cli.main(["diagnose", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def as_json(*args: str | Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    code, out, err = diagnose(*args, "--format", "json", capsys=capsys)
    assert code in (0, 1), err
    data: list[dict[str, Any]] = json.loads(out)
    return data


def by_container(rows: list[dict[str, Any]]) -> dict[tuple[str, str, str | None], dict[str, Any]]:
    return {(r["namespace"], r["pod"], r["container"]): r for r in rows}


def failures_of(*texts_and_paths: tuple[str, str]) -> list[Failure]:
    return collect([parse_text(text, path) for text, path in texts_and_paths]).failures


# -- one test per family: realistic containerd and CRI-O messages ---------------------------------


def test_family_name_or_tag() -> None:
    containerd = (
        'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.99": '
        'failed to resolve reference "docker.io/library/nginx:1.99": docker.io/library/nginx:1.99: not found'
    )
    d = classify_message(containerd, "ErrImagePull", "nginx:1.99")
    assert (d.family, d.confidence) == ("name-or-tag", "high")
    assert d.evidence == 'failed to resolve reference "docker.io/library/nginx:1.99": docker.io/library/nginx:1.99: not found'
    crio = "initializing source docker://quay.io/acme/app:1.2: reading manifest 1.2 in quay.io/acme/app: manifest unknown"
    d = classify_message(crio, "ErrImagePull", "quay.io/acme/app:1.2")
    assert (d.family, d.confidence, d.evidence) == ("name-or-tag", "high", "reading manifest 1.2 in quay.io/acme/app: manifest unknown")
    # Docker Hub's answer for a misspelled name is the same as for a private repository: medium, with a note
    hub = (
        'failed to pull and unpack image "docker.io/library/ngnix:1.27": failed to resolve reference '
        '"docker.io/library/ngnix:1.27": pull access denied, repository does not exist or may require '
        "authorization: server message: insufficient_scope: authorization failed"
    )
    d = classify_message(hub, "ErrImagePull", "ngnix:1.27")
    assert (d.family, d.confidence) == ("name-or-tag", "medium")
    assert d.evidence == "pull access denied, repository does not exist or may require authorization"
    assert d.note is not None and "private" in d.note
    assert ("auth", "insufficient_scope: authorization failed") in d.also
    # CRI-O says "requested access to the resource is denied": a name problem on Docker Hub only
    crio_hub = "initializing source docker://ngnix:1.27: reading manifest 1.27 in docker.io/library/ngnix: requested access to the resource is denied"
    assert classify_message(crio_hub, "ErrImagePull", "ngnix:1.27").family == "name-or-tag"
    crio_private = crio_hub.replace("docker.io/library/ngnix", "registry.acme.io/ngnix").replace("docker://ngnix", "docker://registry.acme.io/ngnix")
    assert classify_message(crio_private, "ErrImagePull", "registry.acme.io/ngnix:1.27").family == "auth"
    # the registry's error code (distribution spec) as some registries print it
    d = classify_message("reading manifest 2.0 in ghcr.io/acme/web: name unknown: repository name not known to registry")
    assert (d.family, d.evidence) == ("name-or-tag", "name unknown: repository name not known to registry")


def test_family_auth() -> None:
    anon = (
        'failed to pull and unpack image "registry.acme.io/team/api:2.3.1": failed to resolve reference '
        '"registry.acme.io/team/api:2.3.1": failed to authorize: failed to fetch anonymous token: unexpected status '
        "from GET request to https://registry.acme.io/service/token?scope=repository%3Ateam%2Fapi%3Apull: 401 Unauthorized"
    )
    d = classify_message(anon, "ErrImagePull", "registry.acme.io/team/api:2.3.1")
    assert (d.family, d.confidence) == ("auth", "high")
    assert d.evidence is not None and d.evidence.startswith("failed to fetch anonymous token: ") and d.evidence.endswith("401 Unauthorized")
    assert d.note is not None and "registry.acme.io" in d.note  # {registry} filled in
    assert any("registry.acme.io" in step and "namespace default" in step for step in d.next)
    crio = "initializing source docker://registry.acme.io/billing/worker:5.0: reading manifest 5.0 in registry.acme.io/billing/worker: unauthorized: authentication required"
    d = classify_message(crio)
    assert (d.family, d.evidence) == ("auth", "unauthorized: authentication required")
    gar = (
        'failed to pull and unpack image "europe-docker.pkg.dev/acme/prod/api:1.0": failed to resolve reference '
        '"europe-docker.pkg.dev/acme/prod/api:1.0": failed to authorize: failed to fetch oauth token: unexpected status '
        "from GET request to https://europe-docker.pkg.dev/v2/token?scope=repository%3Aacme%2Fprod%2Fapi%3Apull&service=europe-docker.pkg.dev: 403 Forbidden"
    )
    assert (classify_message(gar).family, classify_message(gar).evidence) == ("auth", "403 Forbidden")
    ecr = "Error response from daemon: Head https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/v2/api/manifests/1.0: no basic auth credentials"
    assert classify_message(ecr).evidence == "no basic auth credentials"
    bad_secret = "unable to parse auth field, must be formatted as base64(username:password)"
    d = classify_message(bad_secret)
    assert d.family == "auth" and d.note is not None and "every pull" in d.note


def test_family_missing_secret() -> None:
    event = "Unable to retrieve some image pull secrets (acme-registry); attempting to pull the image may not succeed."
    d = classify_message(event, "FailedToRetrieveImagePullSecret")
    assert (d.family, d.confidence, d.evidence) == ("missing-secret", "high", "Unable to retrieve some image pull secrets (acme-registry)")
    # next to the 401 it causes, the missing secret is the cause and the 401 is kept as "also"
    [api] = [f for f in failures_of((FIX.joinpath("pods.yaml").read_text(), "pods.yaml"), (FIX.joinpath("events.yaml").read_text(), "events.yaml"))
             if f.container == "api"]
    d = classify(api)
    assert d.family == "missing-secret"
    assert [fam for fam, _ in d.also] == ["auth"]
    assert d.clue is not None and d.clue.where == "events.yaml items[0]: event FailedToRetrieveImagePullSecret"


def test_family_network() -> None:
    cases = {
        'failed to resolve reference "ghcr.ioo/acme/frontend:3.2.0": failed to do request: Head "https://ghcr.ioo/v2/acme/frontend/manifests/3.2.0": '
        "dial tcp: lookup ghcr.ioo on 10.96.0.10:53: no such host": "lookup ghcr.ioo on 10.96.0.10:53: no such host",
        'failed to resolve reference "ghcr.io/acme/api:1": failed to do request: Head "https://ghcr.io/v2/acme/api/manifests/1": '
        "dial tcp 140.82.121.33:443: i/o timeout": "dial tcp 140.82.121.33:443: i/o timeout",
        "pinging container registry registry.lan:5000: Get \"https://registry.lan:5000/v2/\": dial tcp 10.0.0.9:5000: connect: connection refused":
            "dial tcp 10.0.0.9:5000: connect: connection refused",
        'failed to do request: Head "https://harbor.acme.io/v2/a/manifests/1": net/http: TLS handshake timeout': "net/http: TLS handshake timeout",
        'failed to do request: Head "https://harbor.acme.io/v2/a/manifests/1": tls: failed to verify certificate: x509: certificate signed by unknown authority':
            "x509: certificate signed by unknown authority",
        'pinging container registry registry.lan:5000: Get "https://registry.lan:5000/v2/": http: server gave HTTP response to HTTPS client':
            "http: server gave HTTP response to HTTPS client",
    }
    for message, evidence in cases.items():
        d = classify_message(message, "ErrImagePull")
        assert (d.family, d.confidence, d.evidence) == ("network", "high", evidence), message


def test_family_registry_unavailable() -> None:
    containerd = (
        'failed to resolve reference "harbor.acme.io/prod/payments:1.4": unexpected status from HEAD request to '
        "https://harbor.acme.io/v2/prod/payments/manifests/1.4: 503 Service Unavailable"
    )
    assert (classify_message(containerd).family, classify_message(containerd).evidence) == ("registry-unavailable", "503 Service Unavailable")
    crio = "reading manifest 1.4 in harbor.acme.io/prod/payments: received unexpected HTTP status: 502 Bad Gateway"
    d = classify_message(crio)
    assert (d.family, d.evidence) == ("registry-unavailable", "received unexpected HTTP status: 502 Bad Gateway")
    kubelet = 'image pull failed for harbor.acme.io/prod/payments:1.4 because the registry is unavailable'
    d = classify_message(kubelet, "RegistryUnavailable")
    assert (d.family, d.evidence) == ("registry-unavailable", "registry is unavailable")
    assert classify_message("", "RegistryUnavailable").evidence == "RegistryUnavailable"


def test_family_rate_limit() -> None:
    containerd = (
        'failed to pull and unpack image "docker.io/library/redis:7.2": failed to copy: httpReadSeeker: failed open: '
        "unexpected status code https://registry-1.docker.io/v2/library/redis/manifests/sha256:7d0e: 429 Too Many Requests - "
        "Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading"
    )
    d = classify_message(containerd, "ErrImagePull", "redis:7.2")
    assert (d.family, d.confidence, d.evidence) == ("rate-limit", "high", "toomanyrequests: You have reached your pull rate limit")
    assert d.also == []  # "authenticating" does not make it an auth problem
    crio = "initializing source docker://redis:7.2: reading manifest 7.2 in docker.io/library/redis: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit"
    assert classify_message(crio).family == "rate-limit"
    ghcr = 'failed to resolve reference "ghcr.io/acme/x:1": unexpected status from HEAD request to https://ghcr.io/v2/acme/x/manifests/1: 429 Too Many Requests'
    assert (classify_message(ghcr).family, classify_message(ghcr).evidence) == ("rate-limit", "429 Too Many Requests")


def test_family_invalid_reference() -> None:
    kubelet = 'Failed to apply default image tag "MyOrg/report:1.0": couldn\'t parse image name "MyOrg/report:1.0": invalid reference format: repository name must be lowercase'
    d = classify_message(kubelet, "InspectFailed")
    assert (d.family, d.confidence, d.evidence) == ("invalid-reference", "high", "invalid reference format: repository name must be lowercase")
    d = classify_message("", "InvalidImageName")  # the status reason alone is decisive
    assert (d.family, d.evidence) == ("invalid-reference", "InvalidImageName")


def test_family_never_pull() -> None:
    event = 'Container image "acme/tools:dev" is not present with pull policy of Never'
    d = classify_message(event, "ErrImageNeverPull")
    assert (d.family, d.confidence, d.evidence) == ("never-pull", "high", event)
    assert classify_message("", "ErrImageNeverPull").family == "never-pull"


def test_family_platform() -> None:
    containerd = 'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/nicolaka/netshoot:v0.13": no match for platform in manifest: not found'
    d = classify_message(containerd)
    assert (d.family, d.evidence) == ("platform", "no match for platform in manifest")  # not name-or-tag for its "not found"
    crio = 'choosing an image from manifest list docker://docker.io/acme/worker:3.1: no image found in manifest list for architecture arm64, variant "v8", OS linux'
    d = classify_message(crio)
    assert (d.family, d.evidence) == ("platform", 'no image found in manifest list for architecture arm64, variant "v8", OS linux')
    docker = "no matching manifest for linux/arm64/v8 in the manifest list entries"
    assert classify_message(docker).evidence == docker


def test_family_disk() -> None:
    containerd = (
        'failed to pull and unpack image "docker.io/library/postgres:16.3": failed to extract layer sha256:3b2a: '
        "write /var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/214/fs/usr/lib/x.so: no space left on device: unknown"
    )
    d = classify_message(containerd)
    assert (d.family, d.confidence) == ("disk", "high")
    assert d.evidence == "write /var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/214/fs/usr/lib/x.so: no space left on device"
    crio = 'writing blob: storing blob to file "/var/tmp/storage1234/1": write /var/tmp/storage1234/1: no space left on device'
    assert classify_message(crio).family == "disk"


def test_family_unknown() -> None:
    for message, reason in (
        ('Back-off pulling image "ngnix:1.27"', "ImagePullBackOff"),
        ("Error: ErrImagePull", "ErrImagePull"),
        ("image is not signed by a trusted key", "SignatureValidationFailed"),
    ):
        d = classify_message(message, reason, "ngnix:1.27")
        assert (d.family, d.confidence, d.evidence) == ("unknown", "low", None), message
        assert any("describe pod pod" in step for step in d.next)  # {namespace}/{pod} filled in


def test_every_family_is_in_the_table_with_next_steps() -> None:
    t = table()
    assert set(t.families) == set(FAMILIES)
    covered = {p.family for p in t.patterns}
    assert covered == set(FAMILIES) - {"unknown"}
    assert all(t.families[f].next and t.families[f].title for f in FAMILIES)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"families": {}, "patterns": []}, "families without an entry"),
        ({"families": {"typo-family": {"title": "x", "next": ["y"]}}, "patterns": []}, "unknown family 'typo-family'"),
        (None, "needs `families`"),
    ],
)
def test_a_broken_table_is_refused(data: Any, message: str) -> None:
    with pytest.raises(TableError, match=re.escape(message)):
        _build(data)


def test_a_broken_pattern_is_refused() -> None:
    families = {f: {"title": f, "next": ["check"]} for f in FAMILIES}
    with pytest.raises(TableError, match=r"patterns\[0\]: bad regex"):
        _build({"families": families, "patterns": [{"family": "auth", "confidence": "high", "match": "(unclosed"}]})
    with pytest.raises(TableError, match=r"patterns\[0\]: `confidence`"):
        _build({"families": families, "patterns": [{"family": "auth", "confidence": "sure", "match": "x"}]})
    with pytest.raises(TableError, match="non-empty `next`"):
        _build({"families": {**families, "auth": {"title": "a", "next": [{"Pin: x": 1}]}}, "patterns": []})


# -- inputs ---------------------------------------------------------------------------------------


def test_get_pods_yaml_list() -> None:
    dump = read_dump(str(FIX / "pods.yaml"))
    assert (dump.kind, dump.problems) == ("pods", [])
    assert [(p.namespace, p.name) for p in dump.pods] == [
        ("shop", "web-7d9f8b6c5-x2x9z"), ("shop", "cache-0"), ("shop", "worker-6c9f7d8b94-q8w2k"), ("shop", "shop-api-5f8d9c7b6d-7kq2m"),
    ]
    web = dump.pods[0]
    assert web.owners == [("ReplicaSet", "web-7d9f8b6c5")] and web.pull_secrets == ["acme-registry"]
    assert [(c.kind, c.name, c.state, c.reason) for c in web.containers] == [
        ("container", "web", "waiting", "ImagePullBackOff"),
        ("container", "api", "waiting", "ErrImagePull"),
        ("container", "log-tailer", "running", None),
    ]
    worker = dump.pods[2]
    assert [(c.kind, c.name, c.reason) for c in worker.containers] == [
        ("initContainer", "migrate", "ErrImagePull"), ("container", "worker", "PodInitializing"),
    ]
    got = [(f.pod, f.container, f.container_kind, f.reason) for f in collect([dump]).failures]
    assert got == [
        ("cache-0", "redis", "container", "ErrImagePull"),
        ("web-7d9f8b6c5-x2x9z", "web", "container", "ImagePullBackOff"),
        ("web-7d9f8b6c5-x2x9z", "api", "container", "ErrImagePull"),
        ("worker-6c9f7d8b94-q8w2k", "migrate", "initContainer", "ErrImagePull"),  # not the worker waiting behind it
    ]


def test_get_pod_json_with_an_ephemeral_container() -> None:
    dump = read_dump(str(FIX / "pod-debug.json"))
    [f] = collect([dump]).failures
    assert (f.pod, f.container, f.container_kind, f.image, f.reason) == (
        "checkout-84c5d6f7b9-t6v8w", "debugger-7xk2p", "ephemeralContainer", "nicolaka/netshoot:v0.13", "ErrImagePull",
    )
    assert classify(f).family == "platform"


def test_get_events_yaml() -> None:
    dump = read_dump(str(FIX / "events.yaml"))
    assert dump.kind == "events" and len(dump.events) == 10  # the Job's SuccessfulCreate is not about a pod
    failures = collect([dump]).failures
    got = [(f.pod, f.container, f.image, f.reason) for f in failures]
    assert got == [
        ("report-28745640-h7x2p", "report", "MyOrg/report:1.0", "InvalidImageName"),
        ("web-7d9f8b6c5-x2x9z", "web", "ngnix:1.27", "ImagePullBackOff"),  # the latest "Error: X" decides
    ]  # shop-api's failures were followed by a Pulled event: resolved
    web = failures[1]
    assert [(c.reason, c.count) for c in web.clues] == [
        ("Failed", 4), ("ErrImagePull", 4), ("BackOff", 7), ("ImagePullBackOff", 7), ("FailedToRetrieveImagePullSecret", 1),
    ]


def test_get_events_json_core_and_events_k8s_io() -> None:
    dump = read_dump(str(FIX / "events.json"))
    failures = collect([dump]).failures
    got = [(f.namespace, f.pod, f.container, f.image, classify(f).family) for f in failures]
    assert got == [
        ("web", "billing-7c8d9f6b5-k9m2n", "worker", "registry.acme.io/billing/worker:5.0", "auth"),
        ("web", "frontend-5d7f9b8c6-r4t6y", "frontend", "ghcr.ioo/acme/frontend:3.2.0", "network"),
    ]
    assert failures[0].clues[0].count == 6  # events.k8s.io series.count
    assert failures[0].clues[0].where == f"{FIX / 'events.json'} items[2]: event Failed (x6)"


def test_get_events_table(tmp_path: Path) -> None:
    """The plain ``kubectl get events`` table: rows about pods, cut at the header's columns; without
    NAMESPACE (no ``-A``) a pod takes its namespace from another dump, else ``default``."""
    dump = read_dump(str(FIX / "events-table.txt"))
    assert [(e.namespace, e.pod, e.reason, e.type, e.count) for e in dump.events] == [
        ("shop", "web-5d7f9b8c6-r4t6y", "Scheduled", "Normal", 1),
        ("shop", "web-5d7f9b8c6-r4t6y", "Pulling", "Normal", 4),
        ("shop", "web-5d7f9b8c6-r4t6y", "Failed", "Warning", 4),
        ("shop", "web-5d7f9b8c6-r4t6y", "Failed", "Warning", 4),
        ("shop", "web-5d7f9b8c6-r4t6y", "BackOff", "Normal", 12),
    ]
    assert dump.events[2].message.endswith("ghcr.io/acme/web:9.9: not found")
    (f,) = collect([dump]).failures
    assert (f.namespace, f.pod, f.image, classify(f).family) == ("shop", "web-5d7f9b8c6-r4t6y", "ghcr.io/acme/web:9.9", "name-or-tag")
    assert f.clues[0].where == f"{FIX / 'events-table.txt'}:4: event Failed (x4)"
    lines = (FIX / "events-table.txt").read_text().splitlines()
    bare = tmp_path / "events.txt"
    bare.write_text("".join(ln[len("shop        ") :] + "\n" for ln in lines))  # without -A
    assert [f.namespace for f in collect([read_dump(str(bare))]).failures] == ["default"]
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web-5d7f9b8c6-r4t6y, namespace: shop}\nspec: {containers: [{name: web, image: 'ghcr.io/acme/web:9.9'}]}\n"
    (tmp_path / "pod.yaml").write_text(pod)
    got = collect([read_dump(str(bare)), read_dump(str(tmp_path / "pod.yaml"))]).failures
    assert [(f.namespace, f.pod, f.container) for f in got] == [("shop", "web-5d7f9b8c6-r4t6y", "web")]


def test_describe_pod_text() -> None:
    dump = read_dump(str(FIX / "describe.txt"))
    assert (dump.kind, dump.problems) == ("describe", [])
    assert [(p.namespace, p.name, p.owners) for p in dump.pods] == [
        ("payments", "payments-6b8f9d7c4-m2n4p", [("ReplicaSet", "payments-6b8f9d7c4")]),
        ("dev", "tools-local", []),
        ("data", "postgres-0", [("StatefulSet", "postgres")]),
    ]
    payments = dump.pods[0]
    assert payments.labels == {"app": "payments", "pod-template-hash": "6b8f9d7c4"}
    # the env var called Reason and postgres' "Last State: Terminated / Reason: Error" are not the state
    assert [(c.name, c.image, c.state, c.reason) for p in dump.pods for c in p.containers] == [
        ("payments", "harbor.acme.io/prod/payments:1.4", "waiting", "ImagePullBackOff"),
        ("tools", "acme/tools:dev", "waiting", "ErrImageNeverPull"),
        ("postgres", "postgres:16.3", "waiting", "ErrImagePull"),
    ]
    assert [(e.pod, e.reason, e.count) for e in dump.events if e.type == "Warning"] == [
        ("payments-6b8f9d7c4-m2n4p", "Failed", 4), ("payments-6b8f9d7c4-m2n4p", "Failed", 4), ("payments-6b8f9d7c4-m2n4p", "Failed", 12),
        ("tools-local", "ErrImageNeverPull", 5), ("tools-local", "Failed", 5),
        ("postgres-0", "Failed", 2), ("postgres-0", "Failed", 2),
    ]
    failures = collect([dump]).failures
    got = [(f.namespace, f.pod, f.container, classify(f).family) for f in failures]
    assert got == [
        ("data", "postgres-0", "postgres", "disk"),
        ("dev", "tools-local", "tools", "never-pull"),
        ("payments", "payments-6b8f9d7c4-m2n4p", "payments", "registry-unavailable"),
    ]  # "Error: ErrImagePull" rows follow their pull event instead of making a container of their own
    d = classify(failures[2])
    assert d.clue is not None and d.clue.where == f"{FIX / 'describe.txt'}:53: event Failed (x4)"


def test_describe_of_old_kubectl_with_sub_object_path() -> None:
    """kubectl up to 1.9 printed FirstSeen/LastSeen/Count/From/SubObjectPath columns (here tab-separated)."""
    dump = read_dump(str(FIX / "describe-kubectl-1.8.txt"))
    assert [(e.reason, e.container, e.count) for e in dump.events] == [("Scheduled", None, 1), ("Failed", "web", 4)]
    [f] = collect([dump]).failures
    d = classify(f)
    assert (f.container, f.reason, d.family) == ("web", "ErrImagePull", "name-or-tag")
    assert d.evidence == "pull access denied for ngnix, repository does not exist or may require 'docker login'"


def test_a_mixed_list_and_several_documents() -> None:
    pods = FIX.joinpath("pods.yaml").read_text()
    events = FIX.joinpath("events.yaml").read_text()
    dump = parse_text(pods + "---\n" + events, "both.yaml")
    assert dump.kind == "pods+events" and len(dump.pods) == 4 and len(dump.events) == 10
    together = [(f.pod, f.container, classify(f).family) for f in collect([dump]).failures]
    apart = [(f.pod, f.container, classify(f).family) for f in collect([parse_text(pods, "p"), parse_text(events, "e")]).failures]
    assert together == apart
    assert ("web-7d9f8b6c5-x2x9z", "web", "name-or-tag") in together


def test_stdin(capsys: pytest.CaptureFixture[str]) -> None:
    res = run_cli("diagnose", "-", "--format", "json", stdin=FIX.joinpath("describe.txt").read_text(), cwd=ROOT)
    assert res.returncode == 1, res.stderr
    rows = json.loads(res.stdout)
    assert [(r["pod"], r["family"]) for r in rows] == [
        ("postgres-0", "disk"), ("tools-local", "never-pull"), ("payments-6b8f9d7c4-m2n4p", "registry-unavailable"),
    ]
    assert rows[2]["evidenceSource"] == "<stdin>:53: event Failed (x4)"


# -- malformed and truncated input ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cut.json", FIX.joinpath("pod-debug.json").read_text()[:700], r"cut\.json:24:6: not valid JSON \(.*\); the dump looks truncated"),
        ("cut-mid-string.yaml", FIX.joinpath("pods.yaml").read_text()[:1500], r"cut-mid-string\.yaml:\d+:\d+: not valid YAML .*looks truncated"),
        ("cut-at-line.yaml", "".join(FIX.joinpath("pods.yaml").read_text().splitlines(keepends=True)[:40]),
         r"cut-at-line\.yaml: a list without `kind`.*looks truncated"),
        ("cut.txt", "".join(FIX.joinpath("describe.txt").read_text().splitlines(keepends=True)[:30]),
         r"cut\.txt:1: the describe output of pod payments-6b8f9d7c4-m2n4p ends before its Events section"),
        ("bad.yaml", "items:\n  - kind: Pod\n   metadata: {name: x}\n", r"bad\.yaml:3:\d+: not valid YAML"),
        ("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n", r"deploy\.yaml: no Pod or Event in it \(found Deployment\)"),
        ("notes.txt", "the pod is broken again\n", r"notes\.txt: not a Kubernetes object"),
        ("table.txt", "NAME                  READY   STATUS             RESTARTS   AGE\nweb-1   0/1   ImagePullBackOff   0   5m\n",
         r"table\.txt: this is the kubectl pods table.*kubectl get pods -o yaml"),
        ("ints.yaml", "- 1\n- 2\n", r"ints\.yaml: not kubectl output \(item 0 of a list is an int\)"),
        ("nested.json", "[[[1]]]", r"nested\.json: not kubectl output \(item 0 of a list is a list\)"),
        ("empty.yaml", "", r"empty\.yaml: empty input"),
        ("tagged.yaml", "!!python/object:os.system {}\n", r"tagged\.yaml:1:1: not valid YAML"),
    ],
)
def test_malformed_input_gets_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    code, _out, err = diagnose(path, capsys=capsys)
    assert code == 2
    assert re.search(message, err), err
    assert "Traceback" not in err and err.startswith("pullcheck diagnose: ")


def test_binary_directory_and_missing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "core").write_bytes(b"\x7fELF\x00\x01\x02")
    code, _, err = diagnose(tmp_path / "core", capsys=capsys)
    assert code == 2 and "core: binary file (NUL byte at offset 4)" in err
    code, _, err = diagnose(tmp_path, capsys=capsys)
    assert code == 2 and "is a directory" in err
    code, out, err = diagnose(tmp_path / "nope.yaml", capsys=capsys)
    assert (code, out) == (2, "") and "nope.yaml: no such file" in err


def test_a_broken_dump_does_not_hide_the_others(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "cut.json").write_text('{"apiVersion": "v1", "items": [')
    code, out, err = diagnose(tmp_path / "cut.json", FIX / "pod-debug.json", "--format", "json", capsys=capsys)
    assert code == 2 and re.search(r"cut\.json:2:1: not valid JSON \(.*\); the dump looks truncated", err), err
    assert [r["family"] for r in json.loads(out)] == ["platform"]


def test_parse_text_raises_dump_error_only() -> None:
    for text in ("{", "[1, 2", "- - - :", "Name: x\nNamespace: y\n", "\ufeff", "a: [b", "\t\x00"):
        try:
            parse_text(text, "x")
        except DumpError as exc:
            assert str(exc).startswith("x")


# -- connection to the manifests -----------------------------------------------------------------


def test_owner_names() -> None:
    def f(pod: str, owners: tuple[tuple[str, str], ...] = (), labels: dict[str, str] | None = None) -> set[tuple[str | None, str]]:
        failure = Failure("ns", pod, "c", "container", "x", "ErrImagePull", owners=list(owners), labels=labels or {})
        return owner_names(failure) - {("Pod", pod)}

    assert f("web-7d9f8b6c5-x2x9z", (("ReplicaSet", "web-7d9f8b6c5"),), {"pod-template-hash": "7d9f8b6c5"}) == {
        ("ReplicaSet", "web-7d9f8b6c5"), (None, "web"),
    }
    assert f("report-28745640-h7x2p", (("Job", "report-28745640"),)) == {("Job", "report-28745640"), ("CronJob", "report")}
    assert f("cache-0", (("StatefulSet", "cache"),)) == {("StatefulSet", "cache")}
    # no owner references (events only): the generated name says it
    assert f("web-7d9f8b6c5-x2x9z") == {(None, "web-7d9f8b6c5"), (None, "web")}
    assert f("report-28745640-h7x2p") == {(None, "report-28745640"), ("CronJob", "report")}
    assert f("db-0") == {("StatefulSet", "db")}
    assert f("tools-local") == set()  # "local" has vowels: not a generated suffix


def test_same_image() -> None:
    assert same_image("nginx:1.27", "docker.io/library/nginx:1.27")
    assert same_image("nginx", "docker.io/library/nginx:latest")
    assert not same_image("nginx:1.27", "nginx:1.26")
    assert not same_image("MyOrg/app", "myorg/app")
    assert not same_image(None, "nginx")


def test_manifests_show_the_likely_root_cause(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    rows = by_container(as_json(
        REL / "pods.yaml", REL / "events.yaml", "--manifests", REL / "manifests", "--inventory", REL / "inventory.yaml", capsys=capsys,
    ))
    shop = "tests/fixtures/diagnose/manifests/shop.yaml"  # findings name files as the lint run does

    def related(key: tuple[str, str, str | None]) -> list[tuple[str, str, int, int, str]]:
        return [(r["rule"], r["path"], r["line"], r["column"], r["match"]) for r in rows[key]["related"]]

    assert related(("shop", "web-7d9f8b6c5-x2x9z", "web")) == [
        ("image-typo", shop, 17, 18, "container"),
        ("pull-secret-not-found", shop, 14, 17, "pod"),  # the pod-wide finding: its pull secret
    ]
    assert related(("shop", "web-7d9f8b6c5-x2x9z", "api")) == [("pull-secret-not-found", shop, 14, 17, "pod")]
    assert related(("shop", "worker-6c9f7d8b94-q8w2k", "migrate")) == [("unknown-image-tag", shop, 37, 18, "container")]
    # a pod with no owner in the dump: matched to the CronJob through its generated name
    assert related(("shop", "report-28745640-h7x2p", "report")) == [("invalid-image-reference", shop, 56, 22, "container")]
    assert related(("shop", "cache-0", "redis")) == []
    typo = rows[("shop", "web-7d9f8b6c5-x2x9z", "web")]["related"][0]
    assert typo["object"] == "Deployment/shop/web" and 'did you mean "nginx"' in typo["message"]


def test_manifests_namespace_image_fallback_and_pull_secrets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "other.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: staging}\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: ngnix:1.27\n"
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: storefront, namespace: shop}\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: docker.io/library/ngnix:1.27\n"
        "---\napiVersion: v1\nkind: Secret\nmetadata: {name: acme-registry, namespace: shop}\ntype: kubernetes.io/dockerconfigjson\n"
        "data: {.dockerconfigjson: e30=}\n"
    )
    rows = by_container(as_json(FIX / "pods.yaml", "--manifests", tmp_path, capsys=capsys))
    web = [(r["rule"], r["object"], r["match"]) for r in rows[("shop", "web-7d9f8b6c5-x2x9z", "web")]["related"]]
    # web in namespace staging is another object; the Secret the pod names is broken; the same image
    # in another Deployment is shown since the pod's own object is not in the manifests
    assert ("pull-secret-invalid", "Secret/shop/acme-registry", "pull secret") in web
    assert ("image-typo", "Deployment/shop/storefront", "image") in web
    assert ("image-typo", "Deployment/staging/web", "image") in web
    assert not any(m in ("container", "pod") for _, _, m in web)


def test_manifest_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = diagnose(FIX / "pods.yaml", "--manifests", tmp_path / "missing", capsys=capsys)
    assert code == 2 and "missing: no such file or directory" in err
    (tmp_path / "bad.yaml").write_text("rules: {no-such-rule: off}\nfail-on: sometimes\n")
    code, _, err = diagnose(FIX / "pods.yaml", "--manifests", FIX / "manifests", "--config", tmp_path / "bad.yaml", capsys=capsys)
    assert code == 2 and "fail-on" in err


# -- output and exit codes -----------------------------------------------------------------------


def test_json_fields(capsys: pytest.CaptureFixture[str]) -> None:
    rows = as_json(*ALL_DUMPS, capsys=capsys)
    required = {"namespace", "pod", "container", "image", "reason", "family", "evidence", "related"}
    assert all(required <= set(r) for r in rows)
    assert len(rows) == 11
    assert {r["family"] for r in rows} == set(FAMILIES) - {"unknown"}
    web = by_container(rows)[("shop", "web-7d9f8b6c5-x2x9z", "web")]
    assert web == web | {
        "containerType": "container",
        "image": "ngnix:1.27",
        "imageID": None,
        "reason": "ImagePullBackOff",
        "family": "name-or-tag",
        "confidence": "medium",
        "evidence": "pull access denied, repository does not exist or may require authorization",
        "evidenceSource": f"{FIX / 'events.yaml'} items[2]: event Failed (x4)",
        "owners": ["ReplicaSet/web-7d9f8b6c5"],
        "related": [],
    }
    assert web["also"] == [
        {"family": "missing-secret", "evidence": "Unable to retrieve some image pull secrets (acme-registry)"},
        {"family": "auth", "evidence": "insufficient_scope: authorization failed"},
    ]
    assert all(isinstance(s, str) and "{" not in s for r in rows for s in r["next"])


def test_text_output(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = diagnose(REL / "pods.yaml", REL / "events.yaml", "--manifests", REL / "manifests", capsys=capsys)
    assert code == 1
    block = out.split("shop/web-7d9f8b6c5-x2x9z  container web\n", 1)[1].split("\n\n", 1)[0]
    lines = block.splitlines()
    assert lines[0] == "  image      ngnix:1.27"
    assert lines[1] == "  owner      ReplicaSet/web-7d9f8b6c5"
    assert lines[2] == "  reason     ImagePullBackOff"
    assert lines[3] == "  cause      name-or-tag - image name or tag wrong (confidence: medium)"
    assert lines[4] == '  evidence   "pull access denied, repository does not exist or may require authorization"'
    assert any(ln.startswith("  next       - Compare the image") for ln in lines)
    assert any(ln.startswith("  manifests  tests/fixtures/diagnose/manifests/shop.yaml:17:18: error [image-typo]") for ln in lines)
    assert "\x1b[" not in out and not any(ln != ln.rstrip() for ln in out.splitlines())
    assert out.rstrip().endswith("(of 5 pods read): name-or-tag 2, invalid-reference 1, missing-secret 1, rate-limit 1.")


def test_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    healthy = tmp_path / "healthy.yaml"
    healthy.write_text(FIX.joinpath("pods.yaml").read_text().split("\n- apiVersion: v1\n")[-1].join(["apiVersion: v1\nitems:\n- apiVersion: v1\n", ""]))
    code, out, err = diagnose(healthy, capsys=capsys)
    assert (code, err) == (0, "") and out == "No failing image pulls (1 pod, 1 container read).\n"
    assert diagnose(FIX / "pods.yaml", capsys=capsys)[0] == 1
    assert diagnose(FIX / "pods.yaml", "--format", "yaml", capsys=capsys)[0] == 2
    assert diagnose(capsys=capsys)[0] == 2
    assert diagnose("-", "--manifests", "-", capsys=capsys)[0] == 2
    assert diagnose("--help", capsys=capsys)[0] == 0
    res = run_cli("diagnose", str(FIX / "events.json"), cwd=ROOT)  # the real command, in a subprocess
    assert res.returncode == 1 and "no such host" in res.stdout and res.stderr == ""


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.json"
    code, out, _ = diagnose(FIX / "pod-debug.json", "--format", "json", "--output", target, capsys=capsys)
    assert (code, out) == (1, "")
    assert json.loads(target.read_text())[0]["family"] == "platform"


def test_dump_text_cannot_write_escape_sequences(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evil = FIX.joinpath("pod-debug.json").read_text().replace("no match for platform", "no match for platform\\u001b[31m")
    (tmp_path / "evil.json").write_text(evil)
    code, out, _ = diagnose(tmp_path / "evil.json", capsys=capsys)
    assert code == 1 and "\x1b" not in out


def test_the_example_runs() -> None:
    res = run_cli("diagnose", "examples/diagnose/pods.yaml", "examples/diagnose/events.yaml", "examples/diagnose/describe.txt",
                  "--manifests", "examples/diagnose/manifests", "--inventory", "examples/diagnose/inventory.yaml",
                  "--format", "json", cwd=ROOT)
    assert (res.returncode, res.stderr) == (1, "")
    got = [(r["pod"], r["container"], r["family"], [x["rule"] for x in r["related"]]) for r in json.loads(res.stdout)]
    assert got == [
        ("payments-6b8f9d7c4-m2n4p", "payments", "registry-unavailable", []),
        ("cache-0", "redis", "rate-limit", []),
        ("report-28745640-h7x2p", "report", "invalid-reference", ["invalid-image-reference"]),
        ("web-7d9f8b6c5-x2x9z", "web", "name-or-tag", ["image-typo", "pull-secret-not-found"]),
        ("web-7d9f8b6c5-x2x9z", "api", "missing-secret", ["pull-secret-not-found"]),
        ("worker-6c9f7d8b94-q8w2k", "migrate", "name-or-tag", ["unknown-image-tag"]),
    ]


def test_diagnose_is_a_subcommand() -> None:
    assert "diagnose" in cli.SUBCOMMANDS


def test_get_events_wide_table_names_the_container(tmp_path: Path) -> None:
    """``kubectl get events -o wide``: SUBOBJECT gives the container, COUNT the repeats."""
    rows = [
        ("NAMESPACE", "LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN", "COUNT", "NAME"),
        ("shop", "2m", "Warning", "Failed", "pod/web-1", "spec.containers{web}", "kubelet, node-1",
         'Failed to pull image "ghcr.io/acme/web:9.9": not found', "3m", "4", "web-1.17f"),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    wide = tmp_path / "wide.txt"
    wide.write_text("".join("   ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n" for r in rows))
    (ev,) = read_dump(str(wide)).events
    assert (ev.namespace, ev.pod, ev.container, ev.container_kind, ev.count) == ("shop", "web-1", "web", "container", 4)
