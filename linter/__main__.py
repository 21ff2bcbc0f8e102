"""Allow ``python -m pullcheck``."""

from pullcheck.cli import run

run()
