"""Write N realistic Kubernetes documents into a directory, for the benchmark.

The mix follows ``../shared/corpus/real``: about 20% workloads (Deployments, StatefulSets,
DaemonSets, Jobs, CronJobs, Pods, Argo Rollouts, Tekton Tasks) with one to four containers,
Services, ConfigMaps, Secrets, ServiceAccounts, RBAC and other small kinds, and 4% large
CustomResourceDefinitions that carry about three quarters of the bytes. Files hold one document
(70%), a few (20%) or a rendered install of 10-40 documents with ``# Source:`` comments (10%).
Output is deterministic for a given N and seed.

    python bench/generate.py 10000 /tmp/corpus-10k
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

GENERATOR_VERSION = 2
FILES_PER_DIR = 60

_PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./:@-]*$")
_RESERVED = frozenset(
    "y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF null Null NULL ~".split()
)

IMAGES = [
    "nginx:1.27.3",
    "nginx:1.25-alpine",
    "redis:7.2.4",
    "postgres:16.2",
    "busybox:1.36",
    "gcr.io/google-samples/hello-app:2.0",
    "registry.k8s.io/ingress-nginx/controller:v1.10.0",
    "registry.k8s.io/metrics-server/metrics-server:v0.7.1",
    "quay.io/prometheus/prometheus:v2.51.0",
    "quay.io/jetstack/cert-manager-controller:v1.14.4",
    "ghcr.io/acme/{app}:v1.{n}.0",
    "ghcr.io/acme/{app}:1.{n}.{n}@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/{app}:build-{n}",
    "europe-docker.pkg.dev/acme-prod/apps/{app}:2024.{n}",
    "docker.io/bitnami/kafka:3.7.0",
]
# A few percent of containers carry the mistakes the rules look for, so reporting costs show up too.
BAD_IMAGES = ["nginx", "nginx:latest", "ghcr.io/acme/{app}:latest", "Acme/{app}:1.0", "{app}:", "busybox"]
APPS = ["api", "web", "worker", "billing", "search", "auth", "gateway", "cart", "orders", "notifier", "ledger", "media"]
WORDS = (
    "the of and to in is for that on with as are by this be it from or an at which can not specifies "
    "field value object resource name namespace selector label annotation container pod spec status "
    "condition type reason message version default must should may when if configuration reference"
).split()


def _scalar(value: Any) -> str:
    """A YAML scalar: plain when unambiguous, else JSON-quoted (valid YAML double-quoted)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and text not in _RESERVED and not text.endswith(":"):
        return text
    return json.dumps(text)


def emit(value: Any, indent: int = 0, out: list[str] | None = None) -> list[str]:
    """Block-style YAML lines of a dict/list tree, the way kubectl and helm print manifests."""
    out = [] if out is None else out
    pad = " " * indent
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, dict) and v:
                out.append(f"{pad}{_scalar(k)}:")
                emit(v, indent + 2, out)
            elif isinstance(v, list) and v:
                out.append(f"{pad}{_scalar(k)}:")
                emit(v, indent, out)
            elif isinstance(v, str) and "\n" in v:
                out.append(f"{pad}{_scalar(k)}: |")
                out.extend(f"{pad}  {line}" if line else "" for line in v.rstrip("\n").split("\n"))
            else:
                out.append(f"{pad}{_scalar(k)}: {_empty(v) if _is_empty(v) else _scalar(v)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)) and item:
                sub = emit(item, indent + 2)
                out.append(f"{pad}- {sub[0].lstrip()}")
                out.extend(sub[1:])
            else:
                out.append(f"{pad}- {_empty(item) if _is_empty(item) else _scalar(item)}")
    return out


def _is_empty(v: Any) -> bool:
    return isinstance(v, (dict, list)) and not v


def _empty(v: Any) -> str:
    return "{}" if isinstance(v, dict) else "[]"


class Generator:
    """Builds documents of each kind from one seeded random source."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.serial = 0
        self.crd_bodies: list[dict[str, Any]] = []

    # -- helpers -----------------------------------------------------------------------------------
    def name(self) -> str:
        self.serial += 1
        return f"{self.rng.choice(APPS)}-{self.serial}"

    def sentence(self, lo: int = 6, hi: int = 30) -> str:
        words = self.rng.choices(WORDS, k=self.rng.randint(lo, hi))
        return " ".join(words).capitalize() + "."

    def meta(self, name: str, namespaced: bool = True) -> dict[str, Any]:
        m: dict[str, Any] = {"name": name}
        if namespaced and self.rng.random() < 0.7:
            m["namespace"] = self.rng.choice(["default", "prod", "staging", "monitoring", "kube-system"])
        m["labels"] = {
            "app.kubernetes.io/name": name.rsplit("-", 1)[0],
            "app.kubernetes.io/instance": name,
            "app.kubernetes.io/version": f"1.{self.rng.randint(0, 30)}.0",
            "app.kubernetes.io/managed-by": "Helm",
        }
        if self.rng.random() < 0.3:
            m["annotations"] = {"meta.helm.sh/release-name": name, "meta.helm.sh/release-namespace": "default"}
        return m

    def image(self, app: str) -> str:
        pool = BAD_IMAGES if self.rng.random() < 0.04 else IMAGES
        return self.rng.choice(pool).format(app=app, n=self.rng.randint(0, 40))

    def container(self, app: str, i: int) -> dict[str, Any]:
        c: dict[str, Any] = {"name": app if i == 0 else f"{app}-sidecar-{i}", "image": self.image(app)}
        if self.rng.random() < 0.5:
            c["imagePullPolicy"] = self.rng.choice(["IfNotPresent", "Always"])
        if self.rng.random() < 0.4:
            c["args"] = [f"--port={8080 + i}", "--log-level=info", f"--config=/etc/{app}/config.yaml"]
        c["ports"] = [{"name": "http", "containerPort": 8080 + i, "protocol": "TCP"}]
        c["env"] = [
            {"name": f"{app.upper()}_VAR_{k}", "value": self.rng.choice(WORDS)} for k in range(self.rng.randint(1, 6))
        ]
        if self.rng.random() < 0.3:
            c["env"].append(
                {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": f"{app}-db", "key": "password"}}}
            )
        c["resources"] = {
            "requests": {"cpu": f"{self.rng.choice([50, 100, 250, 500])}m", "memory": f"{self.rng.choice([64, 128, 256])}Mi"},
            "limits": {"memory": f"{self.rng.choice([256, 512, 1024])}Mi"},
        }
        if self.rng.random() < 0.6:
            probe = {"httpGet": {"path": "/healthz", "port": 8080 + i}, "initialDelaySeconds": 5, "periodSeconds": 10}
            c["livenessProbe"] = probe
            c["readinessProbe"] = {**probe, "httpGet": {"path": "/ready", "port": 8080 + i}}
        c["volumeMounts"] = [{"name": "config", "mountPath": f"/etc/{app}", "readOnly": True}]
        c["securityContext"] = {"runAsNonRoot": True, "allowPrivilegeEscalation": False,
                                "capabilities": {"drop": ["ALL"]}}
        return c

    def pod_spec(self, app: str) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        if self.rng.random() < 0.5:
            spec["serviceAccountName"] = app
        if self.rng.random() < 0.25:
            spec["imagePullSecrets"] = [{"name": "regcred"}]
        if self.rng.random() < 0.1:
            spec["initContainers"] = [self.container(f"{app}-init", 0)]
        spec["containers"] = [self.container(app, i) for i in range(self.rng.choice([1, 1, 1, 1, 1, 1, 2, 2, 3, 4]))]
        spec["volumes"] = [{"name": "config", "configMap": {"name": f"{app}-config"}}]
        if self.rng.random() < 0.3:
            spec["nodeSelector"] = {"kubernetes.io/os": "linux"}
        return spec

    # -- kinds ---------------------------------------------------------------------------------------
    def workload(self) -> dict[str, Any]:
        kind = self.rng.choices(
            ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "Rollout", "Task"],
            weights=[60, 6, 5, 6, 4, 8, 3, 8],
        )[0]
        name = self.name()
        app = name.rsplit("-", 1)[0]
        labels = {"app.kubernetes.io/name": app, "app.kubernetes.io/instance": name}
        if kind == "Pod":
            return {"apiVersion": "v1", "kind": "Pod", "metadata": self.meta(name), "spec": self.pod_spec(app)}
        if kind == "Task":
            steps = [
                {"name": f"step-{i}", "image": self.image(app), "script": f"#!/bin/sh\nset -e\necho step {i}\nmake {app}\n"}
                for i in range(self.rng.randint(1, 4))
            ]
            return {"apiVersion": "tekton.dev/v1", "kind": "Task", "metadata": self.meta(name),
                    "spec": {"params": [{"name": "revision", "type": "string"}], "steps": steps}}
        template = {"metadata": {"labels": labels}, "spec": self.pod_spec(app)}
        if kind in ("Job", "CronJob"):
            template["spec"]["restartPolicy"] = "OnFailure"
        if kind == "CronJob":
            return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": self.meta(name),
                    "spec": {"schedule": "*/15 * * * *", "jobTemplate": {"spec": {"template": template}}}}
        if kind == "Job":
            return {"apiVersion": "batch/v1", "kind": "Job", "metadata": self.meta(name),
                    "spec": {"backoffLimit": 3, "template": template}}
        spec: dict[str, Any] = {"selector": {"matchLabels": labels}, "template": template}
        if kind in ("Deployment", "StatefulSet", "Rollout"):
            spec = {"replicas": self.rng.randint(1, 5), **spec}
        if kind == "StatefulSet":
            spec["serviceName"] = name
        api = "argoproj.io/v1alpha1" if kind == "Rollout" else "apps/v1"
        return {"apiVersion": api, "kind": kind, "metadata": self.meta(name), "spec": spec}

    def service(self) -> dict[str, Any]:
        name = self.name()
        return {"apiVersion": "v1", "kind": "Service", "metadata": self.meta(name),
                "spec": {"type": self.rng.choice(["ClusterIP", "ClusterIP", "NodePort"]),
                         "selector": {"app.kubernetes.io/name": name.rsplit("-", 1)[0]},
                         "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]}}

    def config_map(self) -> dict[str, Any]:
        name = self.name()
        data: dict[str, Any] = {f"KEY_{i}": self.rng.choice(WORDS) for i in range(self.rng.randint(1, 8))}
        if self.rng.random() < 0.4:
            data["config.yaml"] = "\n".join(
                f"{w}:\n  enabled: true\n  description: {self.sentence()}" for w in self.rng.sample(WORDS, 12)
            )
        return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": self.meta(name), "data": data}

    def secret(self) -> dict[str, Any]:
        name = self.name()
        if self.rng.random() < 0.3:
            return {"apiVersion": "v1", "kind": "Secret", "metadata": self.meta(name),
                    "type": "kubernetes.io/dockerconfigjson",
                    "data": {".dockerconfigjson": "eyJhdXRocyI6eyJnaGNyLmlvIjp7ImF1dGgiOiJkWE5sY2pwd1lYTnoifX19"}}
        return {"apiVersion": "v1", "kind": "Secret", "metadata": self.meta(name), "type": "Opaque",
                "data": {"username": "YWRtaW4=", "password": "c2VjcmV0LXBhc3N3b3Jk"}}

    def service_account(self) -> dict[str, Any]:
        sa: dict[str, Any] = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": self.meta(self.name())}
        if self.rng.random() < 0.3:
            sa["imagePullSecrets"] = [{"name": "regcred"}]
        return sa

    def rbac(self) -> dict[str, Any]:
        kind = self.rng.choice(["ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding"])
        name = self.name()
        if kind.endswith("Binding"):
            return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind,
                    "metadata": self.meta(name, kind == "RoleBinding"),
                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind[:-7], "name": name},
                    "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": "default"}]}
        rules = [
            {"apiGroups": [self.rng.choice(["", "apps", "batch", "networking.k8s.io"])],
             "resources": self.rng.sample(["pods", "services", "configmaps", "secrets", "deployments", "jobs"], 3),
             "verbs": ["get", "list", "watch"]}
            for _ in range(self.rng.randint(1, 6))
        ]
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind,
                "metadata": self.meta(name, kind == "Role"), "rules": rules}

    def small_other(self) -> dict[str, Any]:
        name = self.name()
        kind = self.rng.choice(["Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy",
                                "Namespace", "ServiceMonitor"])
        if kind == "Ingress":
            return {"apiVersion": "networking.k8s.io/v1", "kind": kind, "metadata": self.meta(name),
                    "spec": {"ingressClassName": "nginx", "rules": [{"host": f"{name}.example.com", "http": {"paths": [
                        {"path": "/", "pathType": "Prefix",
                         "backend": {"service": {"name": name, "port": {"number": 80}}}}]}}]}}
        if kind == "HorizontalPodAutoscaler":
            return {"apiVersion": "autoscaling/v2", "kind": kind, "metadata": self.meta(name),
                    "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                             "minReplicas": 2, "maxReplicas": 10, "metrics": [{"type": "Resource", "resource": {
                                 "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]}}
        if kind == "PodDisruptionBudget":
            return {"apiVersion": "policy/v1", "kind": kind, "metadata": self.meta(name),
                    "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": name}}}}
        if kind == "NetworkPolicy":
            return {"apiVersion": "networking.k8s.io/v1", "kind": kind, "metadata": self.meta(name),
                    "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": name}},
                             "policyTypes": ["Ingress"], "ingress": [{"from": [{"podSelector": {}}]}]}}
        if kind == "Namespace":
            return {"apiVersion": "v1", "kind": kind, "metadata": self.meta(name, False)}
        return {"apiVersion": "monitoring.coreos.com/v1", "kind": kind, "metadata": self.meta(name),
                "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": name}},
                         "endpoints": [{"port": "http", "interval": "30s", "path": "/metrics"}]}}

    def schema(self, depth: int, budget: list[int]) -> dict[str, Any]:
        """An OpenAPI v3 schema node, shaped like the ones in real CRDs (descriptions everywhere)."""
        node: dict[str, Any] = {"description": self.sentence(8, 60)}
        budget[0] -= 1
        if depth <= 0 or budget[0] <= 0 or self.rng.random() < 0.35:
            node["type"] = self.rng.choice(["string", "string", "integer", "boolean"])
            if node["type"] == "string" and self.rng.random() < 0.2:
                node["enum"] = self.rng.sample(["Always", "Never", "IfNotPresent", "Auto", "None"], 3)
            return node
        if self.rng.random() < 0.2:
            node["type"] = "array"
            node["items"] = self.schema(depth - 1, budget)
            return node
        node["type"] = "object"
        props = {}
        for _ in range(self.rng.randint(2, 8)):
            props[self.rng.choice(WORDS) + self.rng.choice(WORDS).capitalize()] = self.schema(depth - 1, budget)
        node["properties"] = props
        if self.rng.random() < 0.3:
            node["required"] = list(props)[:2]
        return node

    def crd(self) -> dict[str, Any]:
        if len(self.crd_bodies) < 24:  # a pool of schemas of 8 KB-400 KB, reused under new names
            budget = [int(min(4000, max(40, self.rng.lognormvariate(5.3, 1.0))))]
            self.crd_bodies.append(self.schema(12, budget))
        body = self.rng.choice(self.crd_bodies)
        plural = f"widgets{self.serial}"
        self.serial += 1
        return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": {"name": f"{plural}.example.com",
                             "annotations": {"controller-gen.kubebuilder.io/version": "v0.14.0"}},
                "spec": {"group": "example.com", "names": {"kind": f"Widget{self.serial}", "plural": plural},
                         "scope": "Namespaced", "versions": [{"name": "v1", "served": True, "storage": True,
                                                              "schema": {"openAPIV3Schema": body},
                                                              "subresources": {"status": {}}}]}}

    def document(self) -> dict[str, Any]:
        makers: list[tuple[Callable[[], dict[str, Any]], int]] = [
            (self.workload, 20), (self.service, 12), (self.config_map, 6), (self.secret, 4),
            (self.service_account, 6), (self.rbac, 22), (self.small_other, 26), (self.crd, 4),
        ]
        fn = self.rng.choices([m for m, _ in makers], weights=[w for _, w in makers])[0]
        return fn()


def generate(n: int, out: Path, seed: int = 6) -> dict[str, int]:
    """Write ``n`` documents under ``out``; returns counts of files, documents and bytes."""
    gen = Generator(seed)
    out.mkdir(parents=True, exist_ok=True)
    written = files = size = 0
    while written < n:
        roll = gen.rng.random()
        count = 1 if roll < 0.7 else gen.rng.randint(2, 6) if roll < 0.9 else gen.rng.randint(10, 40)
        count = min(count, n - written)
        parts = []
        for i in range(count):
            doc = gen.document()
            head = f"---\n# Source: {doc['kind'].lower()}-chart/templates/{i}.yaml\n" if count >= 10 else (
                "---\n" if count > 1 else "")
            parts.append(head + "\n".join(emit(doc)) + "\n")
        text = "".join(parts)
        folder = out / f"app-{files // FILES_PER_DIR:04d}"
        folder.mkdir(exist_ok=True)
        (folder / f"manifest-{files:06d}.yaml").write_text(text, encoding="utf-8")
        files += 1
        written += count
        size += len(text.encode("utf-8"))
    return {"files": files, "documents": written, "bytes": size}


def main(argv: list[str] | None = None) -> int:
    """``python bench/generate.py N DIR [--seed S]``."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("n", type=int, help="number of documents")
    p.add_argument("out", type=Path, help="directory to write (created)")
    p.add_argument("--seed", type=int, default=6)
    a = p.parse_args(argv)
    stats = generate(a.n, a.out, a.seed)
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
