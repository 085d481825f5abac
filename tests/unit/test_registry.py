"""One registry of handlers: each command type decided by exactly one handler, registered
with the rule ids it applies (application/registry.py)."""

from __future__ import annotations

import attrs
import pytest

from guoying.application import commands as cmd
from guoying.application.catalogue import COMMAND_TYPES
from guoying.application.registry import REGISTRY, Registry, RegistryError, command_classes
from guoying.domain.rules import RULE_IDS
from tests.unit.builders import BASE_A1, register_branch


@attrs.frozen(kw_only=True)
class Summon(cmd.Command):
    """A command type of this test only."""


@attrs.frozen(kw_only=True)
class Dismiss(cmd.Command):
    """Another command type of this test only."""


def decide_once(ctx, command) -> None: ...


def decide_again(ctx, command) -> None: ...


def test_a_registry_refuses_a_second_handler_for_one_command_type_naming_both():
    registry = Registry()
    registry.handles(Summon, "org.hierarchy")(decide_once)

    with pytest.raises(RegistryError) as caught:
        registry.handles(Summon, "org.hierarchy")(decide_again)

    message = str(caught.value)
    assert message.startswith("two handlers for Summon: ")
    assert f"{__name__}.decide_once" in message
    assert f"{__name__}.decide_again" in message
    assert registry[Summon].decide is decide_once


def test_the_registry_refuses_a_second_handler_for_a_command_type_it_already_decides():
    original = REGISTRY[cmd.RegisterBranch]

    with pytest.raises(RegistryError, match=r"^two handlers for RegisterBranch: "):
        REGISTRY.handles(cmd.RegisterBranch, "ledger.tiers")(decide_again)

    assert REGISTRY[cmd.RegisterBranch] == original


def test_check_complete_names_every_command_type_without_a_handler():
    registry = Registry()
    registry.handles(Summon)(decide_once)

    registry.check_complete([Summon])
    with pytest.raises(RegistryError) as caught:
        registry.check_complete([Summon, Dismiss, cmd.RegisterBranch])

    assert str(caught.value) == "no handler is registered for Dismiss, RegisterBranch"


def test_looking_up_a_command_type_without_a_handler_names_it():
    with pytest.raises(RegistryError, match=r"^no handler is registered for Dismiss$"):
        REGISTRY[Dismiss]


def test_a_registration_keeps_its_command_type_rule_ids_and_handler():
    registry = Registry()
    decide = registry.handles(Summon, "org.hierarchy", "org.jurisdiction")(decide_once)

    assert decide is decide_once
    registration = registry[Summon]
    assert registration.command_type is Summon
    assert registration.rules == ("org.hierarchy", "org.jurisdiction")
    assert registry.command_types() == [Summon]


def test_every_command_type_of_the_catalogue_is_every_command_defined_in_the_commands_package():
    assert set(COMMAND_TYPES.values()) == set(command_classes())
    assert Summon not in command_classes()
    assert "ApproveCapException" in COMMAND_TYPES


@pytest.mark.parametrize("name", sorted(COMMAND_TYPES))
def test_every_command_type_has_a_registration_whose_rule_ids_are_all_in_the_catalogue_of_rules(
    name,
):
    registration = REGISTRY[COMMAND_TYPES[name]]
    assert registration.command_type is COMMAND_TYPES[name]
    assert set(registration.rules) <= set(RULE_IDS), set(registration.rules) - set(RULE_IDS)
    assert len(set(registration.rules)) == len(registration.rules)


@pytest.mark.parametrize(
    "kind",
    [
        cmd.RegisterBranch,
        cmd.AdjustTier,
        cmd.MoveBranch,
        cmd.DissolveBranch,
        cmd.MergeBranches,
        cmd.SplitBranch,
        cmd.MoveCommittee,
        cmd.MergeCommittees,
        cmd.CorrectRecord,
        cmd.ApproveCapException,
    ],
    ids=lambda kind: kind.__name__,
)
def test_ledger_advanced_cap_every_command_that_changes_a_count_registers_the_rule(kind):
    assert "ledger.advanced_cap" in REGISTRY[kind].rules


def test_every_event_of_a_decision_carries_the_rule_ids_its_handler_registered(store, handler):
    outcome = handler.execute(register_branch("b1", BASE_A1))

    assert {e.authority.rule_ids for e in outcome.events} == {REGISTRY[cmd.RegisterBranch].rules}
