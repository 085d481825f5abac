"""The life of an organisation: branches renamed, moved, merged, split and dissolved, and
committees renamed, moved, merged and dissolved.

Every year's ledger counts the branches active under each committee at the end of that
year, so a change takes effect in the year of its `effective_on` and never rewrites an
earlier year: the ledgers a branch leaves stop counting it from that year on, the ledgers it
joins count it from then, and `ledger.advanced_cap` is judged on the joining ones.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from guoying.application import commands as cmd
from guoying.application.errors import AlreadyExists, InvalidCommand, NotFound
from guoying.application.ports import EventStore
from guoying.domain import branch as branch_rules
from guoying.domain import committee_ledger as ledger_rules
from guoying.domain import organization as org_rules
from guoying.domain import roster as roster_rules
from guoying.domain.branch import Branch, branch_aggregate_id
from guoying.domain.exceptions import RuleViolation
from guoying.domain.organization import CommitteeMap, OrgTree, unit_aggregate_id
from guoying.domain.person import Person, person_aggregate_id
from guoying.domain.policy import Policy
from guoying.domain.values import CommitteeLevel, Decision, Sector, Tier, year_end

if TYPE_CHECKING:
    from guoying.application.service import UnitOfWork


def tree_for_year(tree: OrgTree, year: int, effective_on: date) -> CommitteeMap:
    """The tree a year's ledger is drawn on: as it stood at the end of the year, or on the
    decision's date when that is later (a committee founded after the year it assesses)."""
    return tree.at(max(year_end(year), effective_on))


def chain(tree: OrgTree, branch: Branch, year: int, effective_on: date) -> list[str]:
    """The committees whose cap the branch counts towards in a year."""
    view = tree_for_year(tree, year, effective_on)
    base = branch.base_on(max(year_end(year), effective_on))
    return [c.committee_id for c in view.capped_chain(base)]


def chains_from(tree: OrgTree, branch: Branch, year: int, effective_on: date) -> list[str]:
    """Every committee the branch counts under in `year` or any later year it carries into."""
    years = {year}
    years |= {since.year for since, _ in branch.memberships if since.year > year}
    years |= tree.change_years_after(year)
    found: list[str] = []
    for each in sorted(years):
        found += [c for c in chain(tree, branch, each, effective_on) if c not in found]
    return found


def tally_branch(
    uow: UnitOfWork,
    tree: OrgTree,
    decision: Decision,
    branch: Branch,
    year: int,
    tier: Tier,
) -> None:
    for committee_id in chains_from(tree, branch, year, decision.effective_on):
        ledger = uow.ledger(committee_id)
        uow.record_on_ledger(
            ledger_rules.tally(
                ledger,
                decision,
                committee_id=committee_id,
                branch_id=branch.branch_id,
                year=year,
                tier=tier,
            ),
            decision,
        )


def rechain(
    uow: UnitOfWork,
    decision: Decision,
    branch: Branch,
    before: list[str],
    after: list[str],
) -> None:
    """A branch's chain changed from the year of the decision: leave and join ledgers."""
    year = decision.effective_on.year
    for committee_id in before:
        if committee_id not in after:
            uow.record_on_ledger(
                ledger_rules.leave(
                    uow.ledger(committee_id),
                    decision,
                    committee_id=committee_id,
                    branch_id=branch.branch_id,
                    year=year,
                ),
                decision,
            )
    base = after[0] if after else None
    for committee_id in after:
        if committee_id not in before:
            uow.record_on_ledger(
                ledger_rules.join(
                    uow.ledger(committee_id),
                    decision,
                    committee_id=committee_id,
                    branch_id=branch.branch_id,
                    year=year,
                    timeline=tuple(branch.tiers),
                    name=branch.name if committee_id == base else None,
                ),
                decision,
            )


def _branch(uow: UnitOfWork, branch_id: str, field: str = "branch_id") -> Branch:
    branch = uow.get(branch_aggregate_id(branch_id), Branch)
    if branch is None:
        raise NotFound(field, branch_id)
    return branch


def _committee(view: CommitteeMap, tree: OrgTree, committee_id: str, field: str) -> None:
    if tree.get(committee_id) is None:
        raise NotFound(field, committee_id)
    if view.get_active(committee_id) is None:
        raise RuleViolation(
            "org.hierarchy",
            f"committee {committee_id!r} was dissolved or not yet founded on that date",
        )


def rename_branch(
    uow: UnitOfWork, tree: OrgTree, command: cmd.RenameBranch, decision: Decision
) -> None:
    branch = _branch(uow, command.branch_id)
    view = tree.at(decision.effective_on)
    view.require_jurisdiction(command.actor.committee_id, branch.base_on(decision.effective_on))
    uow.record(branch_rules.rename_branch(branch, decision, name=command.name))
    # Names are unique among the branches a base committee leads now (`ledger.row`).
    base = branch.base_committee_id
    uow.record(
        ledger_rules.name_branch(
            uow.ledger(base),
            decision,
            committee_id=base,
            branch_id=branch.branch_id,
            name=command.name.strip(),
        )
    )


def move_branch(
    uow: UnitOfWork, tree: OrgTree, command: cmd.MoveBranch, decision: Decision
) -> None:
    """Decided by a committee over both base committees, or by the sending committee with
    the receiving committee's decision (`org.jurisdiction`)."""
    branch = _branch(uow, command.branch_id)
    view = tree.at(decision.effective_on)
    _committee(view, tree, command.to_committee_id, "to_committee_id")
    target = view.get(command.to_committee_id)
    assert target is not None
    if target.level is not CommitteeLevel.BASE:
        raise RuleViolation("org.hierarchy", f"{command.to_committee_id!r} is not a base committee")
    source = branch.base_on(decision.effective_on)
    view.require_jurisdiction(command.actor.committee_id, source)
    receiving = command.receiving_decision_by or command.actor
    view.require_jurisdiction(receiving.committee_id, command.to_committee_id)
    before = chain(tree, branch, decision.effective_on.year, decision.effective_on)
    uow.record(branch_rules.move_branch(branch, decision, to_committee_id=command.to_committee_id))
    moved = _branch(uow, command.branch_id)
    after = chain(tree, moved, decision.effective_on.year, decision.effective_on)
    rechain(uow, decision, moved, before, after)


def end_branch(
    uow: UnitOfWork, tree: OrgTree, branch: Branch, decision: Decision, merged_into: str | None
) -> None:
    before = chain(tree, branch, decision.effective_on.year, decision.effective_on)
    uow.record(branch_rules.dissolve_branch(branch, decision, merged_into=merged_into))
    rechain(uow, decision, branch, before, [])


def dissolve_branch(
    uow: UnitOfWork, tree: OrgTree, command: cmd.DissolveBranch, decision: Decision
) -> None:
    branch = _branch(uow, command.branch_id)
    tree.at(decision.effective_on).require_jurisdiction(
        command.actor.committee_id, branch.base_on(decision.effective_on)
    )
    end_branch(uow, tree, branch, decision, None)


def merge_branches(
    uow: UnitOfWork, tree: OrgTree, command: cmd.MergeBranches, decision: Decision
) -> None:
    if command.branch_id == command.into_branch_id:
        raise RuleViolation("org.hierarchy", "a branch cannot merge into itself")
    absorbed = _branch(uow, command.branch_id)
    survivor = _branch(uow, command.into_branch_id, "into_branch_id")
    view = tree.at(decision.effective_on)
    for branch in (absorbed, survivor):
        view.require_jurisdiction(command.actor.committee_id, branch.base_on(decision.effective_on))
    survivor.require_active()
    uow.record(branch_rules.absorb_branch(survivor, absorbed, decision))
    end_branch(uow, tree, absorbed, decision, survivor.branch_id)


def split_branch(
    uow: UnitOfWork, tree: OrgTree, command: cmd.SplitBranch, decision: Decision, policy: Policy
) -> None:
    """New branches founded out of one, each with its base committee's first assessment."""
    branch = _branch(uow, command.branch_id)
    base = branch.base_on(decision.effective_on)
    tree.at(decision.effective_on).require_jurisdiction(command.actor.committee_id, base)
    new_ids = tuple(new.branch_id for new in command.new_branches)
    uow.record(branch_rules.split_branch(branch, decision, new_branch_ids=new_ids))
    if command.dissolve_original:
        # The original ends first, so that a successor may carry on its name.
        end_branch(uow, tree, _branch(uow, command.branch_id), decision, None)
    for index, new in enumerate(command.new_branches):
        if uow.get(branch_aggregate_id(new.branch_id), Branch) is not None:
            raise AlreadyExists(f"new_branches[{index}].branch_id", new.branch_id)
        for unit_index, unit_id in enumerate(new.unit_ids):
            if uow.get(unit_aggregate_id(unit_id), object) is None:
                raise NotFound(f"new_branches[{index}].unit_ids[{unit_index}]", unit_id)
        register(
            uow,
            tree,
            decision,
            policy,
            branch_id=new.branch_id,
            name=new.name,
            sector=new.sector,
            base_committee_id=base,
            unit_ids=new.unit_ids,
            is_financial_institution=new.is_financial_institution,
            year=decision.effective_on.year,
            tier=new.tier,
            split_from=branch.branch_id,
        )


def register(
    uow: UnitOfWork,
    tree: OrgTree,
    decision: Decision,
    policy: Policy,
    *,
    branch_id: str,
    name: str,
    sector: Sector,
    base_committee_id: str,
    unit_ids: tuple[str, ...],
    is_financial_institution: bool,
    year: int,
    tier: Tier,
    split_from: str | None = None,
) -> None:
    """Found a branch with its first assessment and count it under its chain."""
    uow.record(
        branch_rules.register_branch(
            decision,
            policy,
            branch_id=branch_id,
            name=name,
            sector=sector,
            base_committee_id=base_committee_id,
            unit_ids=unit_ids,
            is_financial_institution=is_financial_institution,
            year=year,
            tier=tier,
            split_from=split_from,
        )
    )
    branch = _branch(uow, branch_id)
    for committee_id in chain(tree, branch, year, decision.effective_on):
        uow.record_on_ledger(
            ledger_rules.tally(
                uow.ledger(committee_id),
                decision,
                committee_id=committee_id,
                branch_id=branch_id,
                year=year,
                tier=tier,
                name=branch.name if committee_id == base_committee_id else None,
            ),
            decision,
        )


def rename_committee(
    uow: UnitOfWork, tree: OrgTree, command: cmd.RenameCommittee, decision: Decision
) -> None:
    _committee(tree.at(decision.effective_on), tree, command.committee_id, "committee_id")
    uow.record(
        org_rules.rename_committee(
            tree, decision, committee_id=command.committee_id, name=command.name
        )
    )


def _members(uow: UnitOfWork, committee_id: str, year: int) -> list[Branch]:
    ledger = uow.ledger(committee_id)
    members = ledger.members(year) if ledger else []
    return [b for b in (uow.get(branch_aggregate_id(m), Branch) for m in members) if b]


def _moving_subtree(
    uow: UnitOfWork, tree: OrgTree, decision: Decision, committee_id: str
) -> list[tuple[Branch, list[str]]]:
    year = decision.effective_on.year
    return [
        (branch, chain(tree, branch, year, decision.effective_on))
        for branch in _members(uow, committee_id, year)
        if branch.active
    ]


def _rechain_all(
    uow: UnitOfWork, tree: OrgTree, decision: Decision, moving: list[tuple[Branch, list[str]]]
) -> None:
    year = decision.effective_on.year
    for branch, before in moving:
        current = _branch(uow, branch.branch_id)
        rechain(uow, decision, current, before, chain(tree, current, year, decision.effective_on))


def move_committee(
    uow: UnitOfWork, tree: OrgTree, command: cmd.MoveCommittee, decision: Decision
) -> None:
    view = tree.at(decision.effective_on)
    _committee(view, tree, command.committee_id, "committee_id")
    _committee(view, tree, command.parent_id, "parent_id")
    moving = _moving_subtree(uow, tree, decision, command.committee_id)
    uow.record(
        org_rules.move_committee(
            tree, decision, committee_id=command.committee_id, parent_id=command.parent_id
        )
    )
    _rechain_all(uow, tree, decision, moving)


def merge_committees(
    uow: UnitOfWork, tree: OrgTree, command: cmd.MergeCommittees, decision: Decision
) -> None:
    """The absorbed committee's committees and branches move to the survivor; then it ends."""
    view = tree.at(decision.effective_on)
    _committee(view, tree, command.committee_id, "committee_id")
    _committee(view, tree, command.into_committee_id, "into_committee_id")
    absorbed, survivor = org_rules.check_merger(
        tree, decision, committee_id=command.committee_id, into_id=command.into_committee_id
    )
    if absorbed.level not in (CommitteeLevel.BASE, CommitteeLevel.INTERMEDIATE):
        raise RuleViolation("org.hierarchy", "only base and intermediate committees merge")
    assert absorbed.parent_id is not None
    assert survivor.parent_id is not None
    view.require_jurisdiction(command.actor.committee_id, absorbed.parent_id)
    view.require_jurisdiction(command.actor.committee_id, survivor.parent_id)
    moving = _moving_subtree(uow, tree, decision, absorbed.committee_id)
    for child in view.active_children(absorbed.committee_id):
        uow.record(
            org_rules.move_committee(
                tree, decision, committee_id=child.committee_id, parent_id=survivor.committee_id
            )
        )
    if absorbed.level is CommitteeLevel.BASE:
        for branch, _ in moving:
            if branch.base_on(decision.effective_on) == absorbed.committee_id:
                uow.record(
                    branch_rules.move_branch(
                        _branch(uow, branch.branch_id),
                        decision,
                        to_committee_id=survivor.committee_id,
                    )
                )
    _rechain_all(uow, tree, decision, moving)
    uow.record(
        org_rules.dissolve_committee(
            tree,
            decision,
            committee_id=absorbed.committee_id,
            active_branches=0,
            merged_into=survivor.committee_id,
        )
    )


def _leading(uow: UnitOfWork, view: CommitteeMap, committee_id: str, on: date) -> list[Branch]:
    """The branches a committee's subtree leads on a date, whatever happens later."""
    ledger = uow.ledger(committee_id)
    subtree = {c.committee_id for c in view.subtree(committee_id)}
    candidates = (
        uow.get(branch_aggregate_id(b), Branch) for b in (ledger.memberships if ledger else {})
    )
    return [
        b
        for b in candidates
        if b is not None and b.base_on(on) in subtree and (b.ended_on is None or b.ended_on > on)
    ]


def dissolve_committee(
    uow: UnitOfWork, tree: OrgTree, command: cmd.DissolveCommittee, decision: Decision
) -> None:
    view = tree.at(decision.effective_on)
    _committee(view, tree, command.committee_id, "committee_id")
    active = _leading(uow, view, command.committee_id, decision.effective_on)
    uow.record(
        org_rules.dissolve_committee(
            tree,
            decision,
            committee_id=command.committee_id,
            active_branches=len(active),
        )
    )


def change_roster(
    uow: UnitOfWork,
    tree: OrgTree,
    command: cmd.AppointLeader | cmd.EndLeadership,
    decision: Decision,
) -> None:
    """`ledger.liaison_coverage`: a committee's leadership over time, kept by the committee
    itself or a committee above it."""
    view = tree.at(decision.effective_on)
    _committee(view, tree, command.committee_id, "committee_id")
    view.require_jurisdiction(command.actor.committee_id, command.committee_id)
    if uow.get(person_aggregate_id(command.person_id), Person) is None:
        raise NotFound("person_id", command.person_id)
    ledger = uow.ledger(command.committee_id)
    if isinstance(command, cmd.AppointLeader):
        uow.record(
            roster_rules.appoint_leader(
                ledger,
                decision,
                committee_id=command.committee_id,
                person_id=command.person_id,
                position=command.position,
            )
        )
    else:
        uow.record(
            roster_rules.end_leadership(
                ledger,
                decision,
                committee_id=command.committee_id,
                person_id=command.person_id,
            )
        )


def _event_id(text: str) -> tuple[str, int]:
    # The command's validator has checked the form; this guards Python callers who skip it.
    aggregate_id, _, version = text.rpartition("@")
    if not aggregate_id or not version.isdigit():
        raise InvalidCommand(
            [f'$.corrects: expected an event id such as "branch:ID@3", not {text!r}']
        )
    return aggregate_id, int(version)


def correct_record(
    uow: UnitOfWork,
    tree: OrgTree,
    store: EventStore,
    command: cmd.CorrectRecord,
    decision: Decision,
) -> None:
    """A recorded fact corrected by a new event naming it; a corrected tier is re-counted
    under the caps it counts towards."""
    branch = _branch(uow, command.branch_id)
    tree.at(decision.effective_on).require_jurisdiction(
        command.actor.committee_id, branch.base_on(decision.effective_on)
    )
    aggregate_id, version = _event_id(command.corrects)
    corrected = store.event(aggregate_id, version)
    if corrected is None or (version > branch.version and aggregate_id == branch.id):
        raise NotFound("corrects", command.corrects)
    if (
        command.person_id is not None
        and uow.get(person_aggregate_id(command.person_id), Person) is None
    ):
        raise NotFound("person_id", command.person_id)
    event = branch_rules.correct_record(
        branch,
        corrected,
        decision,
        branch_rules.Correction(
            tier=command.tier,
            target=command.target,
            problem=command.problem,
            measure=command.measure,
            deadline=command.deadline,
            owner_id=command.owner_id,
            person_id=command.person_id,
            position=command.position,
        ),
    )
    uow.record(event)
    if event.tier is not None and event.year is not None:
        tally_branch(uow, tree, decision, _branch(uow, command.branch_id), event.year, event.tier)


def decide(
    uow: UnitOfWork,
    tree: OrgTree,
    store: EventStore,
    command: cmd.Command,
    decision: Decision,
    policy: Policy,
) -> bool:
    """Decide a command of an organisation's life; False when it is not one."""
    match command:
        case cmd.RenameBranch():
            rename_branch(uow, tree, command, decision)
        case cmd.MoveBranch():
            move_branch(uow, tree, command, decision)
        case cmd.MergeBranches():
            merge_branches(uow, tree, command, decision)
        case cmd.SplitBranch():
            split_branch(uow, tree, command, decision, policy)
        case cmd.DissolveBranch():
            dissolve_branch(uow, tree, command, decision)
        case cmd.RenameCommittee():
            rename_committee(uow, tree, command, decision)
        case cmd.MoveCommittee():
            move_committee(uow, tree, command, decision)
        case cmd.MergeCommittees():
            merge_committees(uow, tree, command, decision)
        case cmd.DissolveCommittee():
            dissolve_committee(uow, tree, command, decision)
        case cmd.AppointLeader() | cmd.EndLeadership():
            change_roster(uow, tree, command, decision)
        case cmd.CorrectRecord():
            correct_record(uow, tree, store, command, decision)
        case _:
            return False
    return True
