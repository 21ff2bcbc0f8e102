"""The built-in rules of pullcheck, one module per family, listed in catalogue order."""

from pullcheck.rule import Rule
from pullcheck.rules.image_reference import InvalidImageReference, UnrenderedTemplate
from pullcheck.rules.input import DuplicateKey, InputError, YamlSyntax
from pullcheck.rules.tags import DigestNotPinned, LatestTag, MissingImageTag

BUILTIN: list[type[Rule]] = [
    InvalidImageReference,
    UnrenderedTemplate,
    MissingImageTag,
    LatestTag,
    DigestNotPinned,
    YamlSyntax,
    DuplicateKey,
    InputError,
]
