"""Rules the loader reports while reading files: syntax errors, duplicate keys, unreadable input."""

from pullcheck.examples import pod_with_image
from pullcheck.rule import Rule


class YamlSyntax(Rule):
    """The file is not valid YAML."""

    id = "yaml-syntax"
    name = "YamlSyntax"
    summary = "The document is not valid YAML; nothing in it can be applied or checked."
    level = "error"
    tags = ("yaml", "correctness")
    from_loader = True
    on_objects = False  # a document that does not parse names no object
    security_severity = None
    what = """
        Reports the place where the YAML parser stopped, with the parser's reason. Each document of
        a stream is parsed on its own, so the other documents (and files) are still linted.
    """
    why = """
        `kubectl apply` and `helm install` refuse the whole file, so nothing in it reaches the
        cluster; a half-applied stream can leave old images running.
    """
    bad_example = pod_with_image('"nginx:1.27')
    good_example = pod_with_image('"nginx:1.27"')
    how_to_fix = "Correct the YAML at the reported position (an unclosed quote, a tab, bad indentation...)."


class DuplicateKey(Rule):
    """A mapping repeats a key."""

    id = "duplicate-key"
    name = "DuplicateKey"
    summary = "A mapping repeats a key; tools disagree on which value wins."
    level = "warning"
    tags = ("yaml", "correctness")
    from_loader = True
    what = "Reports every repeated key of a mapping, on the second occurrence, naming the line of the first."
    why = """
        The API server's strict field validation rejects duplicate fields, while most client-side
        tools silently keep the last value: the image you read in review may not be the one deployed.
    """
    bad_example = pod_with_image("nginx:1.27", "image: nginx:1.25")
    good_example = pod_with_image("nginx:1.27")
    how_to_fix = "Delete the key that is not meant."


class InputError(Rule):
    """A file could not be read or parsed safely."""

    id = "input-error"
    name = "InputError"
    summary = "A file could not be linted: unreadable, binary, not UTF-8, too large or nested too deeply."
    level = "error"
    tags = ("input",)
    from_loader = True
    on_objects = False  # a file that cannot be read names no object
    what = """
        Reports a file (or document) that pullcheck could not read: permission denied, binary
        content (a NUL byte), UTF-16 without a byte-order mark, an encoding other than
        UTF-8/UTF-16/UTF-32 (the first bad byte is named), a size over `--max-file-size` (default
        64 MiB), or a document nesting deeper than `--max-depth` (or `max-depth` in
        `.pullcheck.yaml`; default 1000 levels, at most 5000: libyaml parses recursively and
        crashes between 20,000 and 30,000 levels, so deeper input is refused before it reaches the
        parser). The rest of the file and the run goes on. FIFOs, devices, broken symlinks and
        symlink loops are not read at all: they get a one-line notice.
    """
    why = """
        A file that cannot be linted cannot be trusted either; silently skipping it would let its
        images through unchecked.
    """
    example_config = {"max-depth": 8}
    bad_example = pod_with_image("nginx:1.27.3", 'args: [[[[[[[[["--verbose"]]]]]]]]]')
    good_example = pod_with_image("nginx:1.27.3", 'args: ["--verbose"]')
    how_to_fix = "Re-encode the file as UTF-8, remove binary files from manifest directories, or raise the limit."
