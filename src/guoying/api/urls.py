"""Which store a caller means when it names none."""

from __future__ import annotations

import os

from guoying.adapters.store import DEFAULT_URL

STORE_ENV = "GUOYING_STORE"


def default_store_url() -> str:
    return os.environ.get(STORE_ENV) or DEFAULT_URL
