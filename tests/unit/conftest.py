"""Fixtures for the pure tests: a handler on an in-process fake store with the tree set up."""

from __future__ import annotations

import pytest

from guoying.application.service import Handler
from tests.unit.builders import fixed_clock, setup_commands
from tests.unit.fakes import FakeEventStore


@pytest.fixture
def store() -> FakeEventStore:
    return FakeEventStore()


@pytest.fixture
def handler(store: FakeEventStore) -> Handler:
    """A handler whose store already holds the committee tree, its units and two people."""
    handler = Handler(store, clock=fixed_clock)
    handler.execute_unit(setup_commands())
    return handler
