"""The ledger projection: the tables behind Annex 1, the committee tree and the figures."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Boolean, Column, Date, Integer, Table, Text
from sqlalchemy.engine import Connection

from guoying.adapters.schema import Position
from guoying.adapters.store import StoredRecord
from guoying.domain import branch as b
from guoying.domain import committee_ledger as cl
from guoying.domain import organization as org
from guoying.domain.events import DomainEvent

metadata = sa.MetaData()

committees = Table(
    "view_committees",
    metadata,
    Column("committee_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("parent_id", Text),
    Column("county_level", Boolean, nullable=False),
)
units = Table(
    "view_units",
    metadata,
    Column("unit_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("committee_id", Text, nullable=False),
)
branches = Table(
    "view_branches",
    metadata,
    Column("branch_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("sector", Text, nullable=False),
    Column("base_committee_id", Text, nullable=False, index=True),
    Column("unit_ids", Text, nullable=False),
    Column("is_financial_institution", Boolean, nullable=False),
    Column("registered_year", Integer, nullable=False),
)
# The tier a branch was given for a year (first assessment or adjustment); later years
# carry it over until the next row.
tiers = Table(
    "view_tiers",
    metadata,
    Column("branch_id", Text, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("tier", Text, nullable=False),
    Column("is_evaluation", Boolean, nullable=False),
)
targets = Table(
    "view_targets",
    metadata,
    Column("branch_id", Text, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("target", Text, nullable=False),
)
liaisons = Table(
    "view_liaisons",
    metadata,
    Column("branch_id", Text, primary_key=True),
    Column("position", Position, primary_key=True),
    Column("effective_on", Date, nullable=False),
    Column("person_id", Text, nullable=False),
    Column("title", Text, nullable=False),
)
cases = Table(
    "view_cases",
    metadata,
    Column("branch_id", Text, primary_key=True),
    Column("case_id", Text, primary_key=True),
    Column("problem", Text, nullable=False),
    Column("measure", Text, nullable=False),
    Column("owner_id", Text, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("found_on", Date, nullable=False),
    Column("closed_on", Date),
    Column("outcome", Text),
)
common_problems = Table(
    "view_common_problems",
    metadata,
    Column("committee_id", Text, primary_key=True),
    Column("problem_id", Text, primary_key=True),
    Column("year", Integer, nullable=False),
    Column("problem", Text, nullable=False),
    Column("measure", Text, nullable=False),
)

cap_exceptions = Table(
    "view_cap_exceptions",
    metadata,
    Column("position", Position, primary_key=True, autoincrement=False),
    Column("committee_id", Text, nullable=False, index=True),
    Column("years", Text, nullable=False),
    Column("justification", Text, nullable=False),
    Column("approved_by_person_id", Text, nullable=False),
    Column("approved_by_committee_id", Text, nullable=False),
    Column("effective_on", Date, nullable=False),
)


def _branch_id(event: DomainEvent) -> str:
    return event.originator_id.removeprefix("branch:")


class LedgerProjection:
    name = "ledger"
    version = 1
    metadata = metadata

    def handle(self, conn: Connection, record: StoredRecord, event: DomainEvent) -> None:
        match event:
            case org.CommitteeRegistered():
                conn.execute(
                    committees.insert().values(
                        committee_id=event.committee_id,
                        name=event.name,
                        level=event.level.value,
                        parent_id=event.parent_id,
                        county_level=event.county_level,
                    )
                )
            case org.UnitRegistered():
                conn.execute(
                    units.insert().values(
                        unit_id=event.unit_id,
                        name=event.name,
                        kind=event.kind.value,
                        committee_id=event.committee_id,
                    )
                )
            case b.BranchRegistered():
                conn.execute(
                    branches.insert().values(
                        branch_id=event.branch_id,
                        name=event.name,
                        sector=event.sector.value,
                        base_committee_id=event.base_committee_id,
                        unit_ids=",".join(event.unit_ids),
                        is_financial_institution=event.is_financial_institution,
                        registered_year=event.year,
                    )
                )
                conn.execute(
                    tiers.insert().values(
                        branch_id=event.branch_id,
                        year=event.year,
                        tier=event.tier.value,
                        is_evaluation=False,
                    )
                )
            case b.TierAdjusted():
                key = (tiers.c.branch_id == _branch_id(event)) & (tiers.c.year == event.year)
                conn.execute(tiers.delete().where(key))
                conn.execute(
                    tiers.insert().values(
                        branch_id=_branch_id(event),
                        year=event.year,
                        tier=event.new_tier.value,
                        is_evaluation=True,
                    )
                )
            case b.CreationTargetSet():
                key = (targets.c.branch_id == _branch_id(event)) & (targets.c.year == event.year)
                conn.execute(targets.delete().where(key))
                conn.execute(
                    targets.insert().values(
                        branch_id=_branch_id(event), year=event.year, target=event.target.value
                    )
                )
            case b.LiaisonAssigned():
                conn.execute(
                    liaisons.insert().values(
                        branch_id=_branch_id(event),
                        position=record.position,
                        effective_on=event.effective_on,
                        person_id=event.person_id,
                        title=event.position,
                    )
                )
            case b.ProblemFound():
                conn.execute(
                    cases.insert().values(
                        branch_id=_branch_id(event),
                        case_id=event.case_id,
                        problem=event.problem,
                        measure=event.measure,
                        owner_id=event.owner_id,
                        deadline=event.deadline,
                        found_on=event.effective_on,
                    )
                )
            case b.RectificationSignedOff():
                conn.execute(
                    cases.update()
                    .where(
                        (cases.c.branch_id == _branch_id(event))
                        & (cases.c.case_id == event.case_id)
                    )
                    .values(closed_on=event.effective_on, outcome=event.outcome)
                )
            case cl.CommonProblemRecorded():
                conn.execute(
                    common_problems.insert().values(
                        committee_id=event.committee_id,
                        problem_id=event.problem_id,
                        year=event.year,
                        problem=event.problem,
                        measure=event.measure,
                    )
                )
            case cl.AdvancedCapExceptionRecorded():
                approver = event.exception.approved_by
                conn.execute(
                    cap_exceptions.insert().values(
                        position=record.position,
                        committee_id=event.committee_id,
                        years=",".join(str(y) for y in event.years),
                        justification=event.exception.justification,
                        approved_by_person_id=approver.person_id,
                        approved_by_committee_id=approver.committee_id,
                        effective_on=event.effective_on,
                    )
                )
            case _:
                pass
