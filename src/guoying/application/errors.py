"""The errors that cross the application boundary, each with its CLI exit code.

1: the input was understood and something was refused or not found; 2: the input or the
store is unusable (the design, `docs/design.md` section 3).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any


class GuoyingError(Exception):
    exit_code = 1
    kind = "error"

    @property
    def rule_id(self) -> str | None:
        return None

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.kind, "message": str(self), "rule_id": self.rule_id}

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as its class, message and attributes whatever its __init__ takes, so that
        # an error raised in a worker process (the synthetic generator's) is raised intact
        # by the process that started it.
        return (_unpickled, (type(self), self.args, dict(self.__dict__)))


def _unpickled(kind: type[GuoyingError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = kind.__new__(kind, *args)
    error.__dict__.update(state)
    return error


class Refused(GuoyingError):
    """A rule refused the command; it was appended to the refusal log."""

    kind = "refused"

    def __init__(self, rule_id: str, message: str, details: Mapping[str, Any] | None = None):
        super().__init__(f"{rule_id}: {message}")
        self._rule_id = rule_id
        self.message = message
        self.details = dict(details or {})

    @property
    def rule_id(self) -> str:
        return self._rule_id


class NotAuthorized(Refused):
    """The actor acted outside its jurisdiction (`org.jurisdiction`); logged as a refusal."""

    kind = "not_authorized"


class NotFound(GuoyingError):
    kind = "not_found"

    def __init__(self, field: str, value: str) -> None:
        # "unit_ids[1]" names a unit; "actor.committee_id" a committee.
        noun = re.sub(r"\[\d+\]$", "", field.rsplit(".", 1)[-1])
        noun = noun.removesuffix("_ids").removesuffix("_id")
        noun = {"corrects": "event"}.get(noun, noun)
        super().__init__(f"{field}: no such {noun} {value!r}")
        self.field = field
        self.value = value


class AlreadyExists(GuoyingError):
    kind = "already_exists"

    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"{field}: {value!r} is already registered")
        self.field = field
        self.value = value


class Conflict(GuoyingError):
    """Concurrent writers kept changing the same aggregates; retries ran out."""

    kind = "conflict"


class InvalidCommand(GuoyingError):
    """The input cannot be read as a command: every problem names its field path."""

    exit_code = 2
    kind = "invalid"

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


class StoreUnavailable(GuoyingError):
    """The store URL cannot be opened or the database cannot be read."""

    exit_code = 2
    kind = "store_unavailable"


class StoreDamaged(StoreUnavailable):
    """A stored row is not as guoying wrote it (its type or bytes changed outside guoying);
    `guoying verify` names it. `position` is the damaged event's store position, if known."""

    kind = "store_damaged"

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


class OutOfRange(GuoyingError):
    """A value was understood but lies outside what the policy or the record covers."""

    kind = "out_of_range"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
