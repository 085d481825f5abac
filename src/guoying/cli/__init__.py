"""The `guoying` command line. It speaks to the library only through `guoying.api`."""

from guoying.cli.app import app, main

__all__ = ["app", "main"]
