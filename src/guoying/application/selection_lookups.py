"""What the selection's handlers look up: the deciding committee of a round and its
authority, nominations, the veto findings that bar a branch, and a round's entry."""

from __future__ import annotations

from datetime import date

from attrs import frozen

from guoying.application.errors import NotFound
from guoying.application.lookups import require_active_committee, require_committee, require_tree
from guoying.application.unit import Context
from guoying.domain import nomination as n
from guoying.domain import selection_round as r
from guoying.domain.branch import Branch
from guoying.domain.events import Key
from guoying.domain.exceptions import JurisdictionViolation, RuleViolation
from guoying.domain.organization import Committee, CommitteeMap
from guoying.domain.policy import Policy
from guoying.domain.values import CommitteeLevel, Sector
from guoying.domain.vetoes import (
    Finding,
    VetoRecord,
    VetoSubject,
    in_effect,
    require_eligible,
    veto_key,
)

ENTERPRISES = frozenset({Sector.STATE_OWNED_ENTERPRISE, Sector.NON_PUBLIC_ENTERPRISE})
NON_PUBLIC = frozenset({Sector.NON_PUBLIC_ENTERPRISE, Sector.SOCIAL_ORGANIZATION})


@frozen
class Deciding:
    """A committee's round of a year, with the tree as it stands on the decision's date."""

    view: CommitteeMap
    committee: Committee
    year: int

    @property
    def committee_id(self) -> str:
        return self.committee.committee_id

    def require_decider(self, ctx: Context) -> None:
        """A committee decides its own round; at the city, the Organization Department acts
        for the city committee (`org.jurisdiction`)."""
        actor_id = ctx.decision.actor.committee_id
        if actor_id == self.committee_id:
            return
        actor = self.view.get_active(actor_id)
        if (
            self.committee.level is CommitteeLevel.CITY
            and actor is not None
            and actor.level is CommitteeLevel.ORGANIZATION_DEPARTMENT
        ):
            return
        raise JurisdictionViolation(
            f"the round of {self.committee_id!r} for {self.year} is decided by "
            f"{self.committee_id!r}, not by {actor_id!r}",
            {"committee_id": self.committee_id, "actor_committee_id": actor_id},
        )

    @property
    def key(self) -> Key[r.Round]:
        return r.round_key(self.committee_id, self.year)

    def round(self, ctx: Context) -> r.Round | None:
        return ctx.uow.get(self.key)

    def require_round(self, ctx: Context) -> r.Round:
        found = self.round(ctx)
        if found is None:
            raise NotFound("committee_id", f"{self.committee_id} (no round for {self.year})")
        return found


def deciding(ctx: Context, committee_id: str, year: int) -> Deciding:
    tree = require_tree(ctx)
    require_committee(tree, committee_id, "committee_id")
    view = tree.at(ctx.decision.effective_on)
    committee = require_active_committee(view, tree, committee_id, "committee_id")
    if committee.level is CommitteeLevel.ORGANIZATION_DEPARTMENT:
        raise RuleViolation(
            "selection.rounds",
            f"{committee_id!r} is the Organization Department; the city's round is the city "
            "committee's",
            {"committee_id": committee_id},
        )
    require_selection_year(ctx.policy, year)
    return Deciding(view, committee, year)


def require_selection_year(policy: Policy, year: int) -> None:
    """`selection.timeline`: a selection year lies within the policy's years."""
    if not policy.covers_year(year):
        raise RuleViolation(
            "selection.timeline",
            f"year {year} is outside policy {policy.version} "
            f"({policy.first_year}-{policy.last_year})",
            {"year": year},
        )


def decider_of(ctx: Context, committee_id: str, year: int) -> Deciding:
    """The round, once the actor is found to be the committee that decides it."""
    at = deciding(ctx, committee_id, year)
    at.require_decider(ctx)
    return at


def require_nomination(ctx: Context, nomination_id: str) -> n.Nomination:
    found = ctx.uow.get(n.nomination_key(nomination_id))
    if found is None:
        raise NotFound("nomination_id", nomination_id)
    return found


def veto_records(ctx: Context, branch: Branch) -> tuple[VetoRecord | None, list[VetoRecord | None]]:
    """The branch's own record of findings and those of every unit it serves."""
    return (
        ctx.uow.get(veto_key(VetoSubject.BRANCH, branch.branch_id)),
        [ctx.uow.get(veto_key(VetoSubject.UNIT, unit_id)) for unit_id in branch.unit_ids],
    )


def finding_in_effect(
    ctx: Context, branch: Branch, on: date, finding_id: str | None = None
) -> Finding | None:
    own, units = veto_records(ctx, branch)
    for finding in in_effect([own, *units], on):
        if finding_id is None or finding.finding_id == finding_id:
            return finding
    return None


def require_eligible_now(ctx: Context, branch: Branch, on: date) -> None:
    own, units = veto_records(ctx, branch)
    require_eligible(own, units, branch_id=branch.branch_id, on=on)


def enter_round(ctx: Context, nomination: n.Nomination, committee_id: str, branch: Branch) -> None:
    """The nomination enters `committee_id`'s round, with the agencies that committee
    consults about it under the policy in effect (`selection.consultation`)."""
    if nomination.round_committee_id != committee_id:
        ctx.record(n.forward(nomination, ctx.decision, to_committee_id=committee_id))
    agencies = ctx.policy.required_agencies(
        enterprise=branch.is_financial_institution or branch.sector in ENTERPRISES,
        non_public=branch.sector in NON_PUBLIC,
    )
    ctx.record(
        r.enter_candidate(
            ctx.uow.get(r.round_key(committee_id, nomination.year)),
            ctx.decision,
            committee_id=committee_id,
            year=nomination.year,
            nomination_id=nomination.nomination_id,
            branch_id=branch.branch_id,
            required_agencies=agencies,
        )
    )


def veto(ctx: Context, nomination: n.Nomination, found: r.Round, finding: Finding) -> r.Round:
    """End the nomination at its round: who vetoed (the decision's actor) and why."""
    ctx.record(
        n.vetoed(
            nomination,
            ctx.decision,
            committee_id=found.committee_id,
            finding_id=finding.finding_id,
            issuing_agency=finding.issuing_agency,
            finding=finding.describe(),
        )
    )
    return ctx.record(r.remove(found, ctx.decision, nomination.nomination_id, r.Removal.VETOED))
