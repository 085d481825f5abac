"""Text no store can keep never reaches one, even from commands built in Python (issue 11,
defect 1): PostgreSQL refuses NUL in text, so one NUL stored in an event used to break every
view read afterwards, and one in a refused command's reason lost the refusal behind "the
store cannot be read". The converter refuses such input from JSON; these commands skip it,
so the store boundary (the mapper, the refusal log, the personal-data table) names the field.
"""

from __future__ import annotations

from datetime import date

import pytest

from guoying import Guoying
from guoying.adapters.verification import verify
from guoying.application.commands import (
    AdjustTier,
    RegisterPerson,
    RenameBranch,
    SetCreationTarget,
)
from guoying.application.errors import InvalidCommand
from guoying.domain.values import Actor, Tier
from tests.integration.builders import (
    YEAR,
    add_base,
    add_branches,
    add_county,
    found_city,
    open_app,
    secretary,
)


@pytest.fixture
def app(store_url: str) -> Guoying:
    opened = open_app(store_url)
    found_city(opened)
    add_county(opened, "daiyue")
    add_base(opened, "town", "daiyue")
    add_base(opened, "other", "daiyue")
    add_branches(opened, "town", 2)
    return opened


def readable(app: Guoying) -> None:
    """Every read that goes through the views works, and the chain verifies."""
    assert app.ledger("town", YEAR).rows
    assert app.history("town-b01")
    assert app.branches(name="town")
    app.refusals()
    app.rebuild_views()
    assert app.replay_check() == []
    assert verify(app.store).ok


@pytest.mark.parametrize("bad", ["a\x00b", "\x00", "tail\x00"])
def test_a_nul_in_a_python_commands_text_is_refused_naming_the_field_and_nothing_is_stored(
    app: Guoying, bad: str
) -> None:
    before = app.store.recorder.max_notification_id()
    with pytest.raises(InvalidCommand) as caught:
        app.execute(
            RenameBranch(
                actor=secretary("town"),
                reason="renamed",
                branch_id="town-b01",
                name=bad,
                effective_on=date(2018, 3, 1),
            )
        )
    assert caught.value.exit_code == 2
    assert any(p.startswith("$.name:") and "NUL" in p for p in caught.value.problems)
    assert app.store.recorder.max_notification_id() == before
    readable(app)


def test_a_nul_in_the_reason_of_a_refused_command_is_refused_naming_reason_not_logged(
    app: Guoying,
) -> None:
    # `other` has no jurisdiction over town's branch: refused by org.jurisdiction, and the
    # refusal log would hold the NUL.
    with pytest.raises(InvalidCommand) as caught:
        app.execute(
            SetCreationTarget(
                actor=secretary("other"),
                reason="not ours\x00",
                branch_id="town-b01",
                year=YEAR,
                target=Tier.ADVANCED,
                effective_on=date(2018, 3, 1),
            )
        )
    assert any(p.startswith("$.reason:") for p in caught.value.problems), caught.value.problems
    assert app.refusals() == []
    readable(app)


def test_a_nul_in_personal_data_is_refused_naming_the_field(app: Guoying) -> None:
    with pytest.raises(InvalidCommand) as caught:
        app.execute(
            RegisterPerson(
                actor=secretary("town"),
                reason="a liaison",
                person_id="p1",
                name="王建国",
                phone="0538\x00",
                effective_on=date(2018, 3, 1),
            )
        )
    assert any(p.startswith("$.phone:") for p in caught.value.problems), caught.value.problems
    assert app.store.personal_data(["p1"]) == {}
    readable(app)


def test_a_nul_in_an_id_is_refused_before_it_becomes_an_aggregate_id(app: Guoying) -> None:
    with pytest.raises(InvalidCommand) as caught:
        app.execute(
            AdjustTier(
                actor=Actor("sec-town", "town\x00"),
                reason="2018 evaluation",
                branch_id="town-b01",
                year=YEAR,
                tier=Tier.LAGGING,
                effective_on=date(2018, 12, 1),
            )
        )
    assert caught.value.exit_code == 2
    readable(app)
