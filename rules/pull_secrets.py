"""Pull secrets across the run: missing, not found, wrong namespace, unusable, not covering the image.

Every rule here reads the run-wide facts of ``Index.pulls`` (Secrets, ServiceAccounts, pods) in
``finish`` and reasons like the kubelet: a pod's own ``imagePullSecrets``, else its ServiceAccount's
(copied only into pods that list none), keys matched to images as ``keyring.go`` matches them.
No message ever contains a credential: facts hold registry keys and problems, never secret data.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pullcheck.examples import deployment_example
from pullcheck.finding import Finding, Level, Related
from pullcheck.imageref import ImageRef, parsed, traps
from pullcheck.index import Index
from pullcheck.kustomize import NAME
from pullcheck.pullfacts import ContainerFact, Effective, NameRef, Place, PodFact, SecretUse, resolve, use_of
from pullcheck.pullfields import pull_policy
from pullcheck.pullsecrets import (
    HUB_LOOKALIKE_KEY_HOSTS,
    Access,
    access,
    explain_miss,
    is_docker_hub,
    normalize_key,
    shown_key,
)
from pullcheck.records import record
from pullcheck.rule import Context, Rule
from pullcheck.rules.names import reported_typos


def _spec(*secrets: str, image: str = "registry.example.com/shop/api:1.4.2", account: str | None = None) -> str:
    """Pod-spec lines of the examples: the ServiceAccount, the pull secrets by name, one container."""
    lines = [f"serviceAccountName: {account}"] if account else []
    if secrets:
        lines += ["imagePullSecrets:", *(f"  - name: {name}" for name in secrets)]
    return "\n".join([*lines, "containers:", "  - name: api", f"    image: {image}"])


def _service_account(name: str, *secrets: str) -> str:
    """A ServiceAccount of namespace "shop" for the examples, with the pull secrets by name."""
    lines = ["apiVersion: v1", "kind: ServiceAccount", "metadata:", f"  name: {name}", "  namespace: shop"]
    if secrets:
        lines += ["imagePullSecrets:", *(f"  - name: {n}" for n in secrets)]
    return "\n".join(lines)


def _pull_secret(name: str, registry: str) -> str:
    """A pull secret of namespace "shop" for the examples, with credentials for ``registry``."""
    auths = f'{{"auths": {{"{registry}": {{"auth": "cm9ib3Q6czNjcmV0"}}}}}}'
    return (
        f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: shop\n"
        f"type: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{auths}'"
    )


_REGCRED_OK = _pull_secret("regcred", "registry.example.com")


@record(frozen=True)
class Image:
    """A container's image as the pull-secret rules see it."""

    fact: ContainerFact
    ref: ImageRef
    access: Access


# Up to this many pods (a 10,000-document run has 1,800) the analysis is computed once for the
# three rules that read it (about 1 MB); a larger run computes it again for each rule instead.
SHARED_ANALYSIS_PODS = 5000


@record(frozen=True)
class Pod:
    """A pod with its effective pull secrets and parsed images."""

    fact: PodFact
    effective: Effective
    images: tuple[Image, ...]


def analyse(ctx: Context, index: Index) -> Iterable[Pod]:
    """Every pod of the run that has images these rules read, resolved: kept for the three rules that
    read it up to ``SHARED_ANALYSIS_PODS`` pods, computed again for each rule past that (all pods at
    once took 6 MB at 100,000 documents)."""
    if len(index.pulls.pods) > SHARED_ANALYSIS_PODS:
        return _analyse(ctx, index)
    return ctx.for_index("pull-secret-pods", index, lambda: tuple(_analyse(ctx, index)))


def _analyse(ctx: Context, index: Index) -> Iterator[Pod]:
    """``analyse``'s pods, one at a time. Pods that get their pull secrets from a ServiceAccount
    share one resolution per namespace and account."""
    cfg = ctx.config
    private = tuple(cfg.get("registries.private") or ())
    public = tuple(cfg.get("registries.public") or ())
    providers = tuple(cfg.get("registries.credential-providers") or ())
    typos = reported_typos(ctx, index)
    shared: dict[tuple[str, str], Effective] = {}
    for pf in index.pulls.pods:
        images = []
        for c in pf.containers:
            ref = parsed(c.image)
            if ref is None:
                continue
            # A trap is invalid-image-reference's and a typo image-typo's: neither names the registry meant.
            if ref.registry and not traps(ref) and typos.get(c.image) is None:
                images.append(Image(c, ref, access(ref, private, public, providers)))
        if not images:
            continue  # every rule here reports on images only
        key = (pf.namespace, pf.service_account)
        effective = None if pf.listed else shared.get(key)
        if effective is None:
            effective = resolve(pf, index.pulls, cfg)
            if effective.source in ("service-account", "unknown"):  # nothing of the pod's own in it
                shared[key] = effective
        yield Pod(pf, effective, tuple(images))


def _complete(ctx: Context) -> bool:
    return bool(ctx.config.get("pull-secrets.complete", False))


def _names(uses: Iterable[SecretUse]) -> str:
    return ", ".join(f'"{u.ref.name}"' for u in uses)


def _related(place: Place, message: str) -> Related:
    return Related(place.path, place.span, message)


#: What an anonymous Docker Hub pull risks (said by both rules that report one).
HUB_ANONYMOUS_LIMIT = (
    "anonymous pulls are limited to 100 per 6 hours per IP address, shared by all nodes behind one NAT, then fail "
    'with "toomanyrequests"'
)


def _hub_lookalike(effective: Effective) -> bool:
    """Whether some effective key is written for a Docker Hub host the kubelet never matches to Hub
    images (``registry-1.docker.io``): pull-secret-registry-mismatch reports those pulls."""
    return any((normalize_key(k) or "").split("/")[0] in HUB_LOOKALIKE_KEY_HOSTS for u in effective.uses for k in u.keys)


def _sa_refs(index: Index) -> Iterator[tuple[str, NameRef]]:
    """Every ``imagePullSecrets`` entry of every ServiceAccount in the run, with its namespace."""
    for group in index.pulls.service_accounts.values():
        for sa in group:
            for r in sa.secrets:
                yield sa.namespace, r


def _all_refs(index: Index) -> Iterator[tuple[str, NameRef]]:
    """Every pull-secret reference in the run: pods' own entries and ServiceAccounts' entries."""
    for pf in index.pulls.pods:
        for r in pf.secrets:
            yield pf.namespace, r
    yield from _sa_refs(index)


class MissingPullSecret(Rule):
    """A private image with no pull secret at all."""

    id = "missing-pull-secret"
    name = "MissingPullSecret"
    summary = "An image from a private registry, and neither the pod nor its ServiceAccount has a pull secret."
    level = "warning"
    tags = ("pull-secrets", "auth")
    judges = frozenset({NAME})
    options = {
        "credential-providers": (
            "note",
            "level for registries usually served by a kubelet credential provider (ECR, ACR, GCR, Artifact "
            'Registry): "note", "warning", "error" or "off"',
        )
    }
    option_choices = {"credential-providers": ("note", "warning", "error", "off")}
    what = """
        Reports an image from a private registry — one listed in `registries.private`, or any host
        that is not a known public registry — when the pod lists no `imagePullSecrets` and its
        ServiceAccount (`serviceAccountName`, else `default`) has none either. The ServiceAccount
        counts when it is in the run or declared in `.pullcheck.yaml` under `service-accounts`;
        otherwise the message says it may still carry secrets in the cluster. Registries usually
        served by kubelet credential providers (ECR, ACR, GCR, Artifact Registry, and
        `registries.credential-providers`) are reported as a note, or at the level the option
        `credential-providers` sets, whatever level the rule itself is given.
        An image that `image-typo` reports (`regsitry.k8s.io/pause`) is not reported here: its host
        is a misspelled public registry, not a private one.
    """
    why = """
        Without a credential the kubelet pulls anonymously; a private registry answers
        `unauthorized`/`denied` and the pod sits in `ImagePullBackOff`. Images already cached on a
        node start anyway, so the mistake shows only on a fresh node.
    """
    bad_example = deployment_example(_spec(), _service_account("default"))
    good_example = deployment_example(_spec("regcred"), _REGCRED_OK)
    how_to_fix = """
        Add `imagePullSecrets: [{name: <secret>}]` to the pod spec, or to its ServiceAccount. If the
        ServiceAccount already carries the secret in the cluster, declare it:
        `service-accounts: {"shop/default": [regcred]}`; if the registry is public, list it under
        `registries.public`.
    """

    def finish(self, index: Index) -> Iterable[Finding]:
        """Report private images of pods whose effective pull secrets are none or unknown-and-absent."""
        provider_level = str(self.settings.get("credential-providers", "note"))
        elsewhere: dict[str, list[str]] = {}  # ServiceAccount name -> the namespaces the run has it in
        for sa_ns, sa_name in sorted(index.pulls.service_accounts):
            elsewhere.setdefault(sa_name, []).append(sa_ns)
        for pod in analyse(self.ctx, index):
            eff = pod.effective
            if eff.source == "pod" or eff.uses:
                continue
            for img in pod.images:
                if img.access == "public":
                    continue
                if img.access == "provider":
                    if provider_level == "off":
                        continue
                    level: Level = "note"
                    if provider_level in ("warning", "error"):
                        level = "warning" if provider_level == "warning" else "error"
                    yield self.at_image_fact(
                        img.fact,
                        f'image "{img.ref.raw}" is on {img.ref.registry}, usually served by a kubelet credential '
                        "provider, and the pod has no pull secret: unless the repository is public, the pull works "
                        "only if the nodes' credential provider (node identity) can read it",
                        level,
                        level_from_option=True,
                    )
                    continue
                sa = pod.fact.service_account
                ns = pod.fact.namespace
                # every namespace has a "default" ServiceAccount: the run lacking this one says nothing
                if eff.source == "unknown" and sa != "default" and elsewhere.get(sa):
                    found = " and ".join(f'"{n}"' for n in elsewhere[sa])
                    why = (
                        f'the pod lists no imagePullSecrets and its ServiceAccount "{sa}" is not in its namespace '
                        f'"{ns}" (the run has one in {found}): the API server refuses the pod unless "{ns}" has '
                        "that ServiceAccount, and then only its pull secrets count"
                    )
                elif eff.source == "unknown":
                    why = (
                        f'the pod lists no imagePullSecrets and its ServiceAccount "{sa}" is not in the run: the pull '
                        f"is refused unless that ServiceAccount carries a pull secret in the cluster (declare it in "
                        f'.pullcheck.yaml: service-accounts: {{"{ns}/{sa}": [<secret>]}})'
                    )
                else:
                    where = "declared in .pullcheck.yaml" if eff.source == "config" else "in the run"
                    why = (
                        f'neither the pod nor its ServiceAccount "{sa}" ({where}) has imagePullSecrets: the kubelet '
                        "pulls anonymously and the registry refuses it"
                    )
                yield self.at_image_fact(
                    img.fact,
                    f'image "{img.ref.raw}" is from the private registry {img.ref.registry}, but {why}',
                )


class ServiceAccountSecretsIgnored(Rule):
    """The pod's own list hides its ServiceAccount's secrets."""

    id = "service-account-secrets-ignored"
    name = "ServiceAccountSecretsIgnored"
    summary = "The pod lists its own imagePullSecrets, so its ServiceAccount's pull secrets are not used."
    level = "warning"
    tags = ("pull-secrets", "auth")
    example_config = {"pull-secrets": {"external": ["regcred", "mirror-cred"]}}
    what = """
        Reports a pod spec that lists `imagePullSecrets` while its ServiceAccount (in the run, or
        declared in `service-accounts`) lists other pull secrets.
    """
    why = """
        The ServiceAccount admission plugin copies the ServiceAccount's `imagePullSecrets` only into
        pods that have none: it does not merge. Adding one secret to a pod template silently drops
        every secret the ServiceAccount provided, and images that needed them stop pulling.
    """
    bad_example = deployment_example(_spec("regcred", account="api"), _service_account("api", "mirror-cred"))
    good_example = deployment_example(
        _spec("regcred", "mirror-cred", account="api"), _service_account("api", "mirror-cred")
    )
    how_to_fix = (
        "List every secret the pod needs in the pod spec, or remove the pod's list and rely on the ServiceAccount."
    )

    def finish(self, index: Index) -> Iterable[Finding]:
        """Report pods with their own list whose ServiceAccount lists secrets the pod does not."""
        table = self.ctx.config.get("service-accounts") or {}
        for pf in index.pulls.pods:
            if not pf.listed or pf.secrets_field is None:
                continue
            own = {r.name for r in pf.secrets}
            sas = index.pulls.service_accounts.get((pf.namespace, pf.service_account), [])
            related: list[Related] = []
            ignored: list[str] = []
            for sa in sas:
                for r in sa.secrets:
                    if r.name not in own and r.name not in ignored:
                        ignored.append(r.name)
                        related.append(_related(r.place, f'ServiceAccount "{sa.name}" lists "{r.name}" here'))
            if not sas:
                for name in table.get(f"{pf.namespace}/{pf.service_account}", ()):
                    if name not in own and name not in ignored:
                        ignored.append(name)
            if ignored:
                shown = ", ".join(f'"{n}"' for n in ignored)
                yield self.at_place(
                    pf.secrets_field,
                    f"the pod lists its own imagePullSecrets, so the admission plugin does not copy those of its "
                    f'ServiceAccount "{pf.service_account}": {shown} {"is" if len(ignored) == 1 else "are"} not used',
                    field=f"{pf.field}.imagePullSecrets",
                    related=tuple(related),
                )


class PullSecretNotFound(Rule):
    """A named pull secret that the run does not contain."""

    id = "pull-secret-not-found"
    name = "PullSecretNotFound"
    summary = "imagePullSecrets names a Secret that is not in the run (nor declared external)."
    level = "note"
    tags = ("pull-secrets", "auth")
    what = """
        Reports an `imagePullSecrets` entry (of a pod spec or a ServiceAccount) naming a Secret that no
        Secret, SealedSecret, ExternalSecret or kustomize `secretGenerator` of the run creates in that
        namespace, and that `pull-secrets.external` does not list. A note by default, since the
        Secret may be created elsewhere; an error with `pull-secrets.complete: true`.
    """
    why = """
        The kubelet skips a pull secret it cannot read, records `FailedToRetrieveImagePullSecret`
        and pulls without it: private images then fail with `ImagePullBackOff`.
    """
    bad_example = deployment_example(_spec("regcred"))
    good_example = deployment_example(_spec("regcred"), _REGCRED_OK)
    how_to_fix = """
        Add the Secret to the manifests, fix the name, or declare secrets managed elsewhere:
        `pull-secrets: {external: [regcred]}` (patterns match `name` or `namespace/name`).
    """

    def finish(self, index: Index) -> Iterable[Finding]:
        """Report each entry whose secret is absent from its namespace and from the whole run."""
        level: Level = "error" if _complete(self.ctx) else self.level
        for ns, ref in _all_refs(index):
            use = use_of(ref, ns, index.pulls, self.ctx.config)
            if use.state != "not-found":
                continue
            tail = (
                "pull-secrets.complete is set, so it does not exist: the kubelet pulls without it"
                if level == "error"
                else "if the cluster does not have it either, the kubelet warns FailedToRetrieveImagePullSecret and "
                "pulls without it (list secrets created elsewhere under pull-secrets.external)"
            )
            yield self.at_place(
                ref.place, f'pull secret "{ref.name}" is not in the run (namespace "{ns}"): {tail}', level
            )


class PullSecretWrongNamespace(Rule):
    """The named secret exists, but in another namespace."""

    id = "pull-secret-wrong-namespace"
    name = "PullSecretWrongNamespace"
    summary = "The named pull secret exists in the run only in another namespace."
    level = "error"
    tags = ("pull-secrets", "auth", "namespace")
    what = """
        Reports an `imagePullSecrets` entry whose Secret the run defines only in other namespaces.
        Objects without `metadata.namespace` are in the apply namespace (`--namespace`, default
        `default`).
    """
    why = """
        `imagePullSecrets` holds a name only: the kubelet reads the Secret from the pod's own
        namespace, and there is no way to point at another one. The Secret has to be created in
        every namespace that pulls with it.
    """
    bad_example = deployment_example(
        _spec("regcred"),
        _REGCRED_OK.replace("namespace: shop", "namespace: default"),
    )
    good_example = deployment_example(_spec("regcred"), _REGCRED_OK)
    how_to_fix = "Create (or replicate, e.g. with a secret-sync controller) the Secret in the pod's namespace."

    def finish(self, index: Index) -> Iterable[Finding]:
        """Report each entry whose secret exists only elsewhere, pointing at where it is."""
        for ns, ref in _all_refs(index):
            use = use_of(ref, ns, index.pulls, self.ctx.config)
            if use.state != "wrong-namespace":
                continue
            where = sorted({f.namespace for f in use.facts})
            shown = ", ".join(f'"{n}"' for n in where)
            related = tuple(
                _related(f.place, f'{f.kind} "{f.name}" in namespace "{f.namespace}"') for f in use.facts[:5]
            )
            yield self.at_place(
                ref.place,
                f'pull secret "{ref.name}" is in namespace {shown}, but it is used from namespace "{ns}": the kubelet '
                f'reads pull secrets only from the pod\'s own namespace; create "{ref.name}" in "{ns}"',
                related=related,
            )


class PullSecretInvalid(Rule):
    """A Secret used (or typed) as a pull secret that the kubelet cannot use."""

    id = "pull-secret-invalid"
    name = "PullSecretInvalid"
    summary = "A Secret used or typed as a pull secret that the kubelet cannot use."
    level = "error"
    tags = ("pull-secrets", "auth")
    security_severity = 5.0
    what = """
        Checks every Secret typed `kubernetes.io/dockerconfigjson` or `kubernetes.io/dockercfg`, and
        every Secret a pod or ServiceAccount names as a pull secret: the type (`Opaque` is ignored by
        the kubelet), the key matching the type, `data` being base64, the content being a JSON object,
        `auths` present (dockerconfigjson) or absent (dockercfg), each entry's `auth` decoding to
        `user:password`, and configs with only `credsStore`/`credHelpers`. `data` and `stringData`
        are both read; SealedSecrets are checked for type and key only. A generated Secret used to
        pull is reported like an Opaque one when its type is certain: a kustomize `secretGenerator`
        without `type` and a SealedSecret without `template.type` make it Opaque, an ExternalSecret
        gets its `target.template.type` (without one it keeps the existing Secret's type, so it is
        not reported). Messages never show a value.
    """
    why = """
        The kubelet silently ignores a Secret of the wrong type or with the wrong key, and finds no
        credentials in a format-swapped config. Worse, one `auth` it cannot decode makes it fail
        every pull of the pod — even of public images.
    """
    bad_example = deployment_example(
        _spec("regcred"),
        _REGCRED_OK.replace("kubernetes.io/dockerconfigjson", "Opaque"),
    )
    good_example = deployment_example(_spec("regcred"), _REGCRED_OK)
    how_to_fix = """
        Create pull secrets with `kubectl create secret docker-registry NAME --docker-server=HOST
        --docker-username=USER --docker-password=... --dry-run=client -o yaml`, which writes the
        right type, key and format.
    """

    def finish(self, index: Index) -> Iterable[Finding]:
        """Report the problems of pull-typed secrets, and the wrong type of secrets used to pull."""
        used: dict[int, NameRef] = {}
        for ns, ref in _all_refs(index):
            for f in index.pulls.secrets.get((ns, ref.name), ()):
                used.setdefault(id(f), ref)
        seen: set[tuple[str, int, int, str]] = set()
        for group in index.pulls.secrets.values():
            for s in group:
                problems = list(s.problems)
                if s.misuse is not None and id(s) in used:
                    problems.append(s.misuse)
                for p in problems:
                    key = (p.place.path, p.place.line, p.place.column, p.message)
                    if key in seen:
                        continue
                    seen.add(key)
                    use = used.get(id(s))
                    related = (_related(use.place, f'used as a pull secret here ("{use.name}")'),) if use else ()
                    prefix = "" if p.message.startswith(f"{s.kind} ") else f'{s.kind} "{s.name}": '
                    yield self.at_place(p.place, prefix + p.message, fix=p.fix, related=related)


class PullSecretRegistryMismatch(Rule):
    """None of the pod's pull secrets holds credentials the kubelet would use for the image."""

    id = "pull-secret-registry-mismatch"
    name = "PullSecretRegistryMismatch"
    summary = "None of the pod's pull secrets has credentials that match the image's registry."
    level = "error"
    tags = ("pull-secrets", "auth")
    judges = frozenset({NAME})
    what = """
        For an image from a private registry, checks that at least one of the pod's effective pull
        secrets has a registry key the kubelet would match to it: URL or bare-host keys, the scheme
        and `/v1/`/`/v2/` dropped, ports compared exactly (`registry.example.com` does not cover
        `registry.example.com:5000`), key paths as prefixes, `*` globs one host label each, and the
        Docker Hub spellings (`https://index.docker.io/v1/` and `docker.io` cover `nginx`;
        `registry-1.docker.io` does not). A public Docker Hub image whose secrets hold such a key
        is a warning, not an error: the kubelet pulls it anonymously, under Docker Hub's rate limit.
        Reported only when every secret's content is known, and not for an image that `image-typo`
        reports. A key written with a user and password (`https://robot:pw@host`) is shown as
        `https://***@host`.
    """
    why = """
        A secret with no matching key contributes nothing: the kubelet pulls anonymously and the
        private registry refuses with `unauthorized` — the most puzzling ImagePullBackOff, because
        the pod does have a pull secret.
    """
    bad_example = deployment_example(
        _spec("regcred", image="registry.example.com:5000/shop/api:1.4.2"),
        _REGCRED_OK,
    )
    good_example = deployment_example(_spec("regcred"), _REGCRED_OK)
    how_to_fix = """
        Add an entry for the registry exactly as the image names it (host and port) to the secret,
        or list a secret that has one.
    """

    def finish(self, index: Index) -> Iterable[Finding]:
        """Report images no effective secret covers, with the secrets as related locations."""
        complete = _complete(self.ctx)
        for pod in analyse(self.ctx, index):
            eff = pod.effective
            # Only a real secret that does not cover the image is this rule's business: secrets that
            # are missing, elsewhere or unusable are reported where they are named or defined.
            if not any(u.state == "found" and any(f.usable for f in u.facts) for u in eff.uses):
                continue
            for img in pod.images:
                hub_meant = is_docker_hub(img.ref) and _hub_lookalike(eff)
                if img.access != "private" and not hub_meant:
                    continue
                verdict, _ = eff.coverage(img.ref.name, complete)
                if verdict != "uncovered":
                    continue
                yield self._report(pod, img, eff.uses)

    def _report(self, pod: Pod, img: Image, uses: tuple[SecretUse, ...]) -> Finding:
        """The finding on an uncovered image: an error for a private one (the registry refuses the
        anonymous pull), a warning for a public Docker Hub one (it pulls, under the rate limit)."""
        hints: list[str] = []
        related: list[Related] = []
        for u in uses:
            if u.state == "wrong-namespace":
                hints.append(f'"{u.ref.name}" is not in namespace "{pod.fact.namespace}"')
                continue
            if u.state == "not-found":
                hints.append(f'"{u.ref.name}" does not exist')
                continue
            for f in u.facts:
                held = (
                    "holds credentials for " + ", ".join(f'"{shown_key(k)}"' for k in f.keys)
                    if f.usable
                    else "has no usable credentials"
                )
                related.append(_related(f.place, f'Secret "{f.name}" {held}'))
                if not f.usable:
                    hints.append(f'"{f.name}" has no usable credentials')
                for k in f.keys if f.usable else ():
                    why = explain_miss(k, img.ref)
                    if why:
                        hints.append(why)
        hint = f" ({'; '.join(dict.fromkeys(hints))})" if hints else ""
        missing = f"none of the pod's pull secrets ({_names(uses)}) has credentials for {img.ref.registry}{hint}"
        if img.access == "public":
            return self.at_image_fact(
                img.fact,
                f'{missing}: the kubelet pulls the public image "{img.ref.raw}" anonymously, which works until the '
                f"rate limit: {HUB_ANONYMOUS_LIMIT}",
                "warning",
                related=tuple(related),
            )
        return self.at_image_fact(
            img.fact,
            f'{missing}: the kubelet pulls "{img.ref.raw}" anonymously and the registry refuses it',
            related=tuple(related),
        )


class DockerhubRateLimit(Rule):
    """An anonymous pull from Docker Hub."""

    id = "dockerhub-rate-limit"
    name = "DockerhubRateLimit"
    summary = "An anonymous pull from Docker Hub, subject to its pull rate limit."
    level = "note"
    tags = ("pull-secrets", "availability", "docker-hub")
    judges = frozenset({NAME})
    what = """
        Reports a Docker Hub image (`nginx`, `acme/app`, `docker.io/...`) when none of the pod's
        pull secrets holds credentials the kubelet would use for Docker Hub. The pod's pull secrets
        must be known: its own list, or its ServiceAccount in the run or declared under
        `service-accounts` (a ServiceAccount outside the run may carry a Docker Hub secret). An
        image that `image-typo` reports (`ngnix`) is not reported here: it does not exist to pull.
    """
    why = """
        Docker Hub limits anonymous pulls to 100 per 6 hours per IPv4 address or IPv6 /64 (free
        accounts: 200; paid plans: unlimited). Every node behind one NAT address shares that quota;
        after a scale-out or node replacement pulls fail with `toomanyrequests` (ErrImagePull).
        `imagePullPolicy: Always` pulls on every container start.
    """
    bad_example = deployment_example(_spec(image="nginx:1.27.3"), _service_account("default"))
    good_example = deployment_example(
        _spec("hub", image="nginx:1.27.3"), _pull_secret("hub", "https://index.docker.io/v1/")
    )
    how_to_fix = """
        Authenticate Docker Hub pulls (a pull secret with key `https://index.docker.io/v1/`), pull
        through a registry mirror, or copy the image to your own registry.
    """

    def finish(self, index: Index) -> Iterable[Finding]:
        """Report Docker Hub images that would be pulled without credentials."""
        complete = _complete(self.ctx)
        for pod in analyse(self.ctx, index):
            eff = pod.effective
            for img in pod.images:
                if img.access != "public" or not is_docker_hub(img.ref) or img.fact.policy == "Never":
                    continue
                verdict, _ = eff.coverage(img.ref.name, complete)
                if verdict != "uncovered":
                    continue  # covered, or unknown (e.g. a ServiceAccount that is not in the run)
                if _hub_lookalike(eff):
                    continue  # reported as pull-secret-registry-mismatch
                policy = pull_policy(img.fact.policy, img.ref)
                always = "; with imagePullPolicy Always every container start pulls" if policy == "Always" else ""
                yield self.at_image_fact(
                    img.fact,
                    f'image "{img.ref.raw}" is pulled from Docker Hub without credentials: {HUB_ANONYMOUS_LIMIT}{always}',
                )
