"""pullcheck: an offline linter for the Kubernetes manifest mistakes that end in ImagePullBackOff."""

__version__ = "0.1.0"
