"""Allow ``python -m pullcheck``."""

from pullcheck.cli import main

raise SystemExit(main())
