"""The flow of one command: authority, load, decide, judge the caps, save atomically.

Nothing is written before every check has passed; a refusal by a rule or by authority is
appended to the refusal log and changes nothing else. A unit of several commands (an import)
is decided in order but its caps are judged on its end state, all or nothing.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from attrs import evolve, frozen

from guoying.application import commands as cmd
from guoying.application import life
from guoying.application.errors import AlreadyExists, Conflict, NotAuthorized, NotFound, Refused
from guoying.application.ports import (
    AggregateReader,
    ConcurrencyConflict,
    EventStore,
    PersonalData,
    Refusal,
)
from guoying.domain import branch as branch_rules
from guoying.domain import committee_ledger as ledger_rules
from guoying.domain import organization as org_rules
from guoying.domain import person as person_rules
from guoying.domain.branch import Branch, branch_aggregate_id
from guoying.domain.committee_ledger import CommitteeLedger, YearCounts, ledger_aggregate_id
from guoying.domain.events import DomainEvent
from guoying.domain.exceptions import JurisdictionViolation, RuleViolation
from guoying.domain.labels import ERASED
from guoying.domain.organization import TREE_ID, OrgTree, Unit, unit_aggregate_id
from guoying.domain.person import Person, person_aggregate_id
from guoying.domain.policy import DEFAULT_POLICY_BOOK, Policy, PolicyBook
from guoying.domain.policy_registry import REGISTRY_ID, PolicyRegistry, publish_policy
from guoying.domain.values import Authority, CommitteeLevel, Decision

Clock = Callable[[], datetime]
Pause = Callable[[int], None]


def jittered_pause(attempt: int) -> None:
    """Wait a random while, up to twice as long after each lost race (at most 50 ms):
    writers that retried at once would only collide again on the same aggregate."""
    time.sleep(random.uniform(0, min(0.05, 0.002 * 2**attempt)))  # noqa: S311 - not secret


CHINA = ZoneInfo("Asia/Shanghai")
T = TypeVar("T")

_RULES: dict[type[cmd.Command], tuple[str, ...]] = {
    cmd.RegisterCommittee: ("org.hierarchy", "org.jurisdiction"),
    cmd.RegisterUnit: ("org.unit", "org.jurisdiction"),
    cmd.RegisterPerson: (),
    cmd.RegisterBranch: ("ledger.tiers", "org.unit", "org.jurisdiction", "ledger.advanced_cap"),
    cmd.AdjustTier: ("ledger.annual_adjustment", "org.jurisdiction", "ledger.advanced_cap"),
    cmd.SetCreationTarget: ("ledger.row", "org.jurisdiction"),
    cmd.AssignLiaison: ("ledger.liaison_coverage", "org.jurisdiction"),
    cmd.RecordProblem: ("ledger.rectification", "org.jurisdiction"),
    cmd.SignOffRectification: ("ledger.rectification", "org.jurisdiction"),
    cmd.RecordCommonProblem: ("ledger.row", "org.jurisdiction"),
    cmd.RenameBranch: ("ledger.row", "org.hierarchy", "org.jurisdiction"),
    cmd.MoveBranch: ("org.hierarchy", "ledger.row", "org.jurisdiction", "ledger.advanced_cap"),
    cmd.MergeBranches: (
        "org.hierarchy",
        "ledger.rectification",
        "org.jurisdiction",
        "ledger.advanced_cap",
    ),
    cmd.SplitBranch: (
        "org.hierarchy",
        "ledger.tiers",
        "ledger.row",
        "org.jurisdiction",
        "ledger.advanced_cap",
    ),
    cmd.DissolveBranch: ("org.hierarchy", "org.jurisdiction", "ledger.advanced_cap"),
    cmd.RenameCommittee: ("org.hierarchy", "org.jurisdiction"),
    cmd.MoveCommittee: ("org.hierarchy", "org.jurisdiction", "ledger.advanced_cap"),
    cmd.MergeCommittees: ("org.hierarchy", "ledger.row", "org.jurisdiction", "ledger.advanced_cap"),
    cmd.DissolveCommittee: ("org.hierarchy", "org.jurisdiction"),
    cmd.AppointLeader: ("ledger.liaison_coverage", "org.jurisdiction"),
    cmd.EndLeadership: ("ledger.liaison_coverage", "org.jurisdiction"),
    cmd.CorrectRecord: ("ledger.row", "org.jurisdiction", "ledger.advanced_cap"),
    cmd.PublishPolicy: ("policy.versions", "org.jurisdiction"),
    cmd.ErasePerson: ("people.erasure", "org.jurisdiction"),
}


def china_now() -> datetime:
    return datetime.now(tz=CHINA)


@frozen
class Outcome:
    """What an applied command (or unit) wrote: the events and their store positions."""

    events: tuple[DomainEvent, ...]
    positions: tuple[int, ...]

    @property
    def event_ids(self) -> list[str]:
        return [f"{e.originator_id}@{e.originator_version}" for e in self.events]


class UnitOfWork:
    """The aggregates one write decides on, each a private copy, and the events it adds."""

    def __init__(self, store: AggregateReader) -> None:
        self._store = store
        self._loaded: dict[str, Any] = {}
        self.ledgers_before: dict[str, YearCounts] = {}
        self.ledger_decisions: dict[str, list[Decision]] = {}
        self.events: list[DomainEvent] = []
        self.personal_data: list[PersonalData] = []

    def get(self, aggregate_id: str, kind: type[T]) -> T | None:
        if aggregate_id not in self._loaded:
            self._loaded[aggregate_id] = self._store.get(aggregate_id)
        found = self._loaded[aggregate_id]
        assert found is None or isinstance(found, kind), (aggregate_id, type(found))
        return found

    def ledger(self, committee_id: str) -> CommitteeLedger | None:
        aggregate_id = ledger_aggregate_id(committee_id)
        ledger = self.get(aggregate_id, CommitteeLedger)
        if aggregate_id not in self.ledgers_before:
            self.ledgers_before[aggregate_id] = ledger.counts() if ledger else YearCounts()
        return ledger

    def record_on_ledger(self, event: DomainEvent, decision: Decision) -> None:
        """Record a ledger's event and judge that ledger's caps when the unit ends."""
        self.record(event)
        self.ledger_decisions.setdefault(event.originator_id, []).append(decision)

    def record(self, event: DomainEvent) -> None:
        current = self._loaded.get(event.originator_id)
        self._loaded[event.originator_id] = event.mutate(current)  # type: ignore[attr-defined]
        self.events.append(event)


class Handler:
    """Decides commands against a store, with optimistic concurrency and bounded retries."""

    def __init__(
        self,
        store: EventStore,
        *,
        policies: PolicyBook = DEFAULT_POLICY_BOOK,
        clock: Clock = china_now,
        retries: int = 8,
        pause: Pause = jittered_pause,
    ) -> None:
        self.store = store
        self.policies = policies
        self.clock = clock
        self.retries = retries
        self.pause = pause

    def execute(self, command: cmd.Command) -> Outcome:
        return self.execute_unit([command])

    def execute_unit(self, commands: Sequence[cmd.Command]) -> Outcome:
        """Apply commands as one unit: all saved in one atomic write, or none."""
        for attempt in range(self.retries):
            if attempt:
                self.pause(attempt)
            uow = UnitOfWork(self.store.reader())
            current: cmd.Command | None = None
            try:
                for current in commands:
                    self._decide(uow, current)
                self._judge_caps(uow)
                positions = self.store.save(uow.events, uow.personal_data)
            except ConcurrencyConflict:
                continue
            except RuleViolation as violation:
                assert current is not None
                raise self._refuse(uow, current, violation) from violation
            return Outcome(tuple(uow.events), tuple(positions))
        raise Conflict(f"gave up after {self.retries} attempts: other writers kept winning")

    def _refuse(self, uow: UnitOfWork, command: cmd.Command, violation: RuleViolation) -> Refused:
        tree = uow.get(TREE_ID, OrgTree)
        subject = _subject_committee(uow, command, tree)
        self.store.append_refusal(Refusal(command, violation.rule_id, violation.message, subject))
        error = NotAuthorized if isinstance(violation, JurisdictionViolation) else Refused
        return error(violation.rule_id, violation.message, violation.details)

    def book(self, uow: UnitOfWork) -> PolicyBook:
        """The default versions and those published in the store."""
        registry = uow.get(REGISTRY_ID, PolicyRegistry)
        return registry.book(self.policies) if registry else self.policies

    def _decision(self, uow: UnitOfWork, command: cmd.Command) -> tuple[Decision, Policy]:
        effective_on = command.effective_on or self.clock().astimezone(CHINA).date()
        policy = self.book(uow).in_effect(effective_on)
        exceptions = getattr(command, "cap_exceptions", ())
        authority = Authority(_RULES[type(command)], policy.version, exceptions)
        return Decision(command.actor, command.reason, effective_on, authority), policy

    def _decide(self, uow: UnitOfWork, command: cmd.Command) -> None:
        decision, policy = self._decision(uow, command)
        tree = uow.get(TREE_ID, OrgTree)
        match command:
            case cmd.RegisterCommittee():
                if tree is not None and tree.get(command.committee_id) is not None:
                    raise AlreadyExists("committee_id", command.committee_id)
                uow.record(
                    org_rules.register_committee(
                        tree,
                        decision,
                        committee_id=command.committee_id,
                        name=command.name,
                        level=command.level,
                        parent_id=command.parent_id,
                        county_level=command.county_level,
                    )
                )
            case cmd.RegisterUnit():
                tree = _require_tree(tree)
                _require_committee(tree, command.committee_id, "committee_id")
                if uow.get(unit_aggregate_id(command.unit_id), Unit) is not None:
                    raise AlreadyExists("unit_id", command.unit_id)
                uow.record(
                    org_rules.register_unit(
                        tree,
                        None,
                        decision,
                        unit_id=command.unit_id,
                        name=command.name,
                        kind=command.kind,
                        committee_id=command.committee_id,
                    )
                )
            case cmd.RegisterPerson():
                tree = _require_tree(tree)
                _require_committee(tree, command.actor.committee_id, "actor.committee_id")
                if uow.get(person_aggregate_id(command.person_id), Person) is not None:
                    raise AlreadyExists("person_id", command.person_id)
                uow.record(person_rules.register_person(decision, person_id=command.person_id))
                uow.personal_data.append(
                    PersonalData(command.person_id, command.name.strip(), command.phone.strip())
                )
            case cmd.RegisterBranch():
                self._register_branch(uow, _require_tree(tree), command, decision, policy)
            case cmd.RecordCommonProblem():
                tree = _require_tree(tree)
                _require_committee(tree, command.committee_id, "committee_id")
                tree.at(decision.effective_on).require_jurisdiction(
                    command.actor.committee_id, command.committee_id
                )
                uow.record(
                    ledger_rules.record_common_problem(
                        uow.ledger(command.committee_id),
                        decision,
                        policy,
                        committee_id=command.committee_id,
                        problem_id=command.problem_id,
                        year=command.year,
                        problem=command.problem,
                        measure=command.measure,
                    )
                )
            case cmd.ErasePerson():
                self._erase(uow, _require_tree(tree), command, decision)
            case cmd.PublishPolicy():
                tree = _require_tree(tree)
                uow.record(
                    publish_policy(
                        uow.get(REGISTRY_ID, PolicyRegistry),
                        self.policies,
                        tree.at(decision.effective_on),
                        decision,
                        command.policy,
                    )
                )
            case _:
                tree = _require_tree(tree)
                if not life.decide(uow, tree, self.store, command, decision, policy):
                    self._decide_on_branch(uow, tree, command, decision, policy)

    def _erase(
        self, uow: UnitOfWork, tree: OrgTree, command: cmd.ErasePerson, decision: Decision
    ) -> None:
        acting = tree.at(decision.effective_on).get_active(command.actor.committee_id)
        if acting is None or acting.level is not CommitteeLevel.ORGANIZATION_DEPARTMENT:
            raise JurisdictionViolation(
                "only the city Organization Department erases personal data, not "
                f"{command.actor.committee_id!r}"
            )
        person = uow.get(person_aggregate_id(command.person_id), Person)
        if person is None:
            raise NotFound("person_id", command.person_id)
        uow.record(person_rules.erase_personal_data(person, decision))
        uow.personal_data.append(PersonalData(command.person_id, ERASED, ERASED))

    def _register_branch(
        self,
        uow: UnitOfWork,
        tree: OrgTree,
        command: cmd.RegisterBranch,
        decision: Decision,
        policy: Policy,
    ) -> None:
        base = _require_committee(tree, command.base_committee_id, "base_committee_id")
        view = tree.at(decision.effective_on)
        view.require_jurisdiction(command.actor.committee_id, base.committee_id)
        if base.level is not CommitteeLevel.BASE:
            raise RuleViolation(
                "org.hierarchy",
                f"{base.committee_id!r} is not a base committee; branches "
                "belong to exactly one base committee",
            )
        if uow.get(branch_aggregate_id(command.branch_id), Branch) is not None:
            raise AlreadyExists("branch_id", command.branch_id)
        for index, unit_id in enumerate(command.unit_ids):
            if uow.get(unit_aggregate_id(unit_id), Unit) is None:
                raise NotFound(f"unit_ids[{index}]", unit_id)
        life.register(
            uow,
            tree,
            decision,
            policy,
            branch_id=command.branch_id,
            name=command.name,
            sector=command.sector,
            base_committee_id=command.base_committee_id,
            unit_ids=command.unit_ids,
            is_financial_institution=command.is_financial_institution,
            year=command.year,
            tier=command.tier,
        )

    def _decide_on_branch(
        self,
        uow: UnitOfWork,
        tree: OrgTree,
        command: cmd.Command,
        decision: Decision,
        policy: Policy,
    ) -> None:
        branch_id: str = getattr(command, "branch_id")  # noqa: B009 - every branch command
        branch = uow.get(branch_aggregate_id(branch_id), Branch)
        if branch is None:
            raise NotFound("branch_id", branch_id)
        tree.at(decision.effective_on).require_jurisdiction(
            command.actor.committee_id, branch.base_on(decision.effective_on)
        )
        match command:
            case cmd.AdjustTier():
                uow.record(
                    branch_rules.adjust_tier(
                        branch, decision, policy, year=command.year, tier=command.tier
                    )
                )
                life.tally_branch(uow, tree, decision, branch, command.year, command.tier)
            case cmd.SetCreationTarget():
                uow.record(
                    branch_rules.set_creation_target(
                        branch, decision, policy, year=command.year, target=command.target
                    )
                )
            case cmd.AssignLiaison():
                if uow.get(person_aggregate_id(command.person_id), Person) is None:
                    raise NotFound("person_id", command.person_id)
                uow.record(
                    branch_rules.assign_liaison(
                        branch, decision, person_id=command.person_id, position=command.position
                    )
                )
            case cmd.RecordProblem():
                if uow.get(person_aggregate_id(command.owner_id), Person) is None:
                    raise NotFound("owner_id", command.owner_id)
                uow.record(
                    branch_rules.record_problem(
                        branch,
                        decision,
                        case_id=command.case_id,
                        problem=command.problem,
                        measure=command.measure,
                        owner_id=command.owner_id,
                        deadline=command.deadline,
                    )
                )
            case cmd.SignOffRectification():
                uow.record(
                    branch_rules.sign_off_rectification(
                        branch, decision, case_id=command.case_id, outcome=command.outcome
                    )
                )
            case _:
                raise TypeError(f"no handler for {type(command).__name__}")

    def _judge_caps(self, uow: UnitOfWork) -> None:
        tree = uow.get(TREE_ID, OrgTree)
        for aggregate_id, decisions in uow.ledger_decisions.items():
            assert tree is not None
            ledger = uow.get(aggregate_id, CommitteeLedger)
            assert ledger is not None
            # A unit is judged on its end state, so an exception on any of its rows counts.
            last = decisions[-1]
            exceptions = tuple(e for d in decisions for e in d.authority.cap_exceptions)
            decision = evolve(last, authority=evolve(last.authority, cap_exceptions=exceptions))
            policy = self.book(uow).by_version(decision.authority.policy_version)
            granted = ledger_rules.judge_advanced_cap(
                tree, ledger, uow.ledgers_before[aggregate_id], decision, policy
            )
            if granted is not None:
                uow.record(granted)


def _require_tree(tree: OrgTree | None) -> OrgTree:
    if tree is None:
        raise NotFound("committee_id", "(the committee tree is empty: register the city first)")
    return tree


def _require_committee(tree: OrgTree, committee_id: str, field: str) -> org_rules.Committee:
    committee = tree.get(committee_id)
    if committee is None:
        raise NotFound(field, committee_id)
    return committee


def _subject_committee(uow: UnitOfWork, command: cmd.Command, tree: OrgTree | None) -> str | None:
    """The committee a refused command was about, for filtering the refusal log."""
    for name in ("base_committee_id", "parent_id", "committee_id"):
        value = getattr(command, name, None)
        if isinstance(value, str):
            return value
    branch_id = getattr(command, "branch_id", None)
    if isinstance(branch_id, str):
        branch = uow.get(branch_aggregate_id(branch_id), Branch)
        if branch is not None:
            return branch.base_committee_id
    acting = tree.get(command.actor.committee_id) if tree else None
    return acting.committee_id if acting else None


def today_in_china(clock: Clock) -> date:
    return clock().astimezone(CHINA).date()
