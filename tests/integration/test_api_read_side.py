"""What the CLI needs from the library, offered by `guoying.api` to every caller: parsing a
command line, tamper evidence, and one family of errors for an unusable store."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import DatabaseError

from guoying.api import (
    CheckpointMismatch,
    Guoying,
    InvalidCommand,
    StoreUnavailable,
    opened,
    parse_command,
    to_data,
)


def test_a_command_line_is_read_into_the_command_it_names() -> None:
    line = (
        '{"command": "RegisterPerson", "actor": {"person_id": "clerk", "committee_id": "zzb"},'
        ' "reason": "登记", "person_id": "p1", "name": "张三", "phone": "0538-1"}'
    )

    command = parse_command(line)

    assert type(command).__name__ == "RegisterPerson"
    assert to_data(command)["person_id"] == "p1"


def test_a_malformed_line_is_an_invalid_command_that_says_the_json_is_malformed() -> None:
    with pytest.raises(InvalidCommand) as raised:
        parse_command('{"command": ')

    assert raised.value.problems[0].startswith("malformed JSON: ")
    assert raised.value.exit_code == 2


def test_a_line_with_a_bad_field_names_the_field_by_its_path() -> None:
    with pytest.raises(InvalidCommand) as raised:
        parse_command('{"command": "AdjustTier", "year": "last"}')

    assert any(problem.startswith("$.") for problem in raised.value.problems)


def test_a_memory_store_opened_to_be_read_is_new_and_empty() -> None:
    with Guoying("memory://", create=False) as app:
        verdict = app.verify()

        assert app.refusals() == []
        assert list(app.audit()) == []
    assert verdict.ok
    assert verdict.count == 0


def test_a_sqlite_store_that_does_not_exist_is_not_created_to_be_read(tmp_path: Path) -> None:
    path = tmp_path / "typo.db"

    with pytest.raises(StoreUnavailable, match="there is no store at"):
        Guoying(f"sqlite:///{path}", create=False)

    assert not path.exists()


def test_a_checkpoint_verifies_its_own_store_and_is_refused_by_another(tmp_path: Path) -> None:
    with Guoying(f"sqlite:///{tmp_path / 'kept.db'}") as kept:
        checkpoint = kept.checkpoint()
        verdict = kept.verify(checkpoint)
    with (
        Guoying(f"sqlite:///{tmp_path / 'other.db'}") as other,
        pytest.raises(CheckpointMismatch),
    ):
        other.verify(checkpoint)

    assert verdict.ok
    assert verdict.count == checkpoint.count


def test_a_damaged_database_met_while_reading_is_reported_as_an_unusable_store() -> None:
    damaged = DatabaseError("SELECT 1", {}, Exception("database disk image is malformed"))

    with (
        pytest.raises(StoreUnavailable, match="the store cannot be read") as raised,
        opened("memory://"),
    ):
        raise damaged

    assert raised.value.exit_code == 2
