"""The operator's command line: ``dispatch``."""

from dispatch.cli.main import app

__all__ = ["app"]
