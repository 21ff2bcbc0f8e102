"""The built-in rules of pullcheck, one module per family, listed in catalogue order."""

from pullcheck.rule import Rule
from pullcheck.rules.image_reference import InvalidImageReference, UnrenderedTemplate
from pullcheck.rules.input import DuplicateKey, InputError, YamlSyntax
from pullcheck.rules.inventory import PinDigest, UnknownImageTag
from pullcheck.rules.moved import MovedRegistry
from pullcheck.rules.names import ImageTypo, RegistryNotAllowed
from pullcheck.rules.pull_fields import PullFieldInvalid, PullPolicyNever
from pullcheck.rules.pull_secrets import (
    DockerhubRateLimit,
    MissingPullSecret,
    PullSecretInvalid,
    PullSecretNotFound,
    PullSecretRegistryMismatch,
    PullSecretWrongNamespace,
    ServiceAccountSecretsIgnored,
)
from pullcheck.rules.tags import DigestNotPinned, LatestTag, MissingImageTag

BUILTIN: list[type[Rule]] = [
    InvalidImageReference,
    UnrenderedTemplate,
    MissingImageTag,
    LatestTag,
    DigestNotPinned,
    ImageTypo,
    RegistryNotAllowed,
    MovedRegistry,
    MissingPullSecret,
    ServiceAccountSecretsIgnored,
    PullSecretNotFound,
    PullSecretWrongNamespace,
    PullSecretInvalid,
    PullSecretRegistryMismatch,
    PullFieldInvalid,
    PullPolicyNever,
    DockerhubRateLimit,
    UnknownImageTag,
    PinDigest,
    YamlSyntax,
    DuplicateKey,
    InputError,
]
