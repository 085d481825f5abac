"""The ledger projection: the event handler that writes the ledger's view tables."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import Table

from guoying.adapters.store import StoredRecord
from guoying.domain import advanced_cap, legacy, roster
from guoying.domain import branch as b
from guoying.domain import common_problems as problems_rules
from guoying.domain import organization as org
from guoying.domain.events import AnyEvent
from guoying.domain.values import year_end
from guoying.projections.ledger.tables import (
    NAME,
    VERSION,
    branch_changes,
    branches,
    cap_exceptions,
    cases,
    committee_changes,
    committees,
    common_problems,
    leaders,
    liaisons,
    metadata,
    targets,
    tiers,
    units,
)
from guoying.projections.writer import ViewWriter


def _changes(
    views: ViewWriter,
    table: Table,
    key: str,
    entity_id: str,
    record: StoredRecord,
    valid_from: date,
    **values: str | None,
) -> None:
    views.insert(
        table,
        *[
            {
                "position": record.position,
                "seq": seq,
                key: entity_id,
                "valid_from": valid_from,
                "attribute": attribute,
                "value": value,
            }
            for seq, (attribute, value) in enumerate(values.items())
        ],
    )


def _current(table: Table, **key: object) -> sa.ColumnElement[bool]:
    return sa.and_(*(table.c[name] == value for name, value in key.items()), _now(table))


def _now(table: Table) -> sa.ColumnElement[bool]:
    return table.c.known_to.is_(None)


def _supersede(
    views: ViewWriter, table: Table, position: int, key: dict[str, object], **changes: object
) -> None:
    """Replace the current row by a changed copy known from `position` on."""
    row = views.current(table, **key)
    if row is None:
        return
    views.retire(table, position, **key)
    views.insert(table, {**row, **changes, "known_from": position, "known_to": None})


def _correct(views: ViewWriter, branch_id: str, position: int, event: b.RecordCorrected) -> None:
    """Views show the corrected value; the history keeps both."""
    if event.tier is not None and event.year is not None:
        _supersede(
            views,
            tiers,
            position,
            {"branch_id": branch_id, "year": event.year},
            tier=event.tier.value,
        )
    if event.target is not None and event.year is not None:
        _supersede(
            views,
            targets,
            position,
            {"branch_id": branch_id, "year": event.year},
            target=event.target.value,
        )
    if event.case_id is not None:
        changes = {
            name: value
            for name, value in (
                ("problem", event.problem),
                ("measure", event.measure),
                ("deadline", event.deadline),
                ("owner_id", event.owner_id),
            )
            if value is not None
        }
        _supersede(
            views, cases, position, {"branch_id": branch_id, "case_id": event.case_id}, **changes
        )
    if event.person_id is not None:
        row = views.read(
            liaisons,
            sa.select(liaisons.c.position).where(
                (liaisons.c.branch_id == branch_id)
                & (liaisons.c.version == event.corrects_version)
                & _now(liaisons)
            ),
        ).first()
        if row is not None:
            _supersede(
                views,
                liaisons,
                position,
                {"branch_id": branch_id, "position": row.position},
                person_id=event.person_id,
                title=event.position or "",
            )


def _branch_change(
    views: ViewWriter, record: StoredRecord, event: AnyEvent, **values: str | None
) -> None:
    _changes(
        views, branch_changes, "branch_id", _branch_id(event), record, event.effective_on, **values
    )


def _committee_change(
    views: ViewWriter, record: StoredRecord, event: AnyEvent, **values: str | None
) -> None:
    committee_id = getattr(event, "committee_id")  # noqa: B009 - every committee event has it
    _changes(
        views, committee_changes, "committee_id", committee_id, record, event.effective_on, **values
    )


def _branch_id(event: AnyEvent) -> str:
    return event.originator_id.removeprefix("branch:")


class LedgerProjection:
    name = NAME
    version = VERSION
    metadata = metadata

    def handle(self, views: ViewWriter, record: StoredRecord, event: AnyEvent) -> None:
        match event:
            case org.CommitteeRegistered():
                views.insert(
                    committees,
                    {
                        "committee_id": event.committee_id,
                        "level": event.level.value,
                        "county_level": event.county_level,
                    },
                )
                _changes(
                    views,
                    committee_changes,
                    "committee_id",
                    event.committee_id,
                    record,
                    event.effective_on,
                    name=event.name,
                    parent_id=event.parent_id,
                    active="1",
                )
            case org.CommitteeRenamed():
                _committee_change(views, record, event, name=event.name)
            case org.CommitteeMoved():
                _committee_change(views, record, event, parent_id=event.parent_id)
            case org.CommitteeDissolved():
                _committee_change(views, record, event, active=None)
            case org.UnitRegistered():
                views.insert(
                    units,
                    {
                        "unit_id": event.unit_id,
                        "name": event.name,
                        "kind": event.kind.value,
                        "committee_id": event.committee_id,
                    },
                )
            case _:
                self._branch(views, record, event)

    def _branch(self, views: ViewWriter, record: StoredRecord, event: AnyEvent) -> None:
        match event:
            case b.BranchRegistered():
                views.insert(
                    branches,
                    {
                        "branch_id": event.branch_id,
                        "sector": event.sector.value,
                        "unit_ids": ",".join(event.unit_ids),
                        "is_financial_institution": event.is_financial_institution,
                        "registered_year": event.year,
                        "split_from": event.split_from,
                    },
                )
                # A first assessment for a year counts the branch in that year's ledger even
                # when it is recorded after the year ends.
                since = min(event.effective_on, year_end(event.year))
                _changes(
                    views,
                    branch_changes,
                    "branch_id",
                    event.branch_id,
                    record,
                    since,
                    name=event.name,
                    base_committee_id=event.base_committee_id,
                    active="1",
                )
                views.insert(
                    tiers,
                    {
                        "branch_id": event.branch_id,
                        "year": event.year,
                        "tier": event.tier.value,
                        "is_evaluation": False,
                        "effective_on": event.effective_on,
                        "known_from": record.position,
                    },
                )
            case b.TierAdjusted():
                views.retire(tiers, record.position, branch_id=_branch_id(event), year=event.year)
                views.insert(
                    tiers,
                    {
                        "branch_id": _branch_id(event),
                        "year": event.year,
                        "tier": event.new_tier.value,
                        "is_evaluation": True,
                        "effective_on": event.effective_on,
                        "known_from": record.position,
                    },
                )
            case b.BranchRenamed():
                _branch_change(views, record, event, name=event.name)
            case b.BranchMoved():
                _branch_change(views, record, event, base_committee_id=event.to_committee_id)
            case b.BranchDissolved():
                _branch_change(views, record, event, active=None)
                views.execute(
                    branches.update()
                    .where(branches.c.branch_id == _branch_id(event))
                    .values(merged_into=event.merged_into)
                )
            case b.BranchAbsorbed():
                for case in event.cases:
                    views.insert(
                        cases,
                        {
                            "branch_id": _branch_id(event),
                            "case_id": case.case_id,
                            "problem": case.problem,
                            "measure": case.measure,
                            "owner_id": case.owner_id,
                            "deadline": case.deadline,
                            "found_on": case.found_on,
                            "known_from": record.position,
                        },
                    )
            case _:
                self._records(views, record, event)

    def _records(self, views: ViewWriter, record: StoredRecord, event: AnyEvent) -> None:
        match event:
            case b.CreationTargetSet():
                views.retire(targets, record.position, branch_id=_branch_id(event), year=event.year)
                views.insert(
                    targets,
                    {
                        "branch_id": _branch_id(event),
                        "year": event.year,
                        "target": event.target.value,
                        "effective_on": event.effective_on,
                        "known_from": record.position,
                    },
                )
            case b.LiaisonAssigned():
                views.insert(
                    liaisons,
                    {
                        "branch_id": _branch_id(event),
                        "position": record.position,
                        "version": event.originator_version,
                        "effective_on": event.effective_on,
                        "person_id": event.person_id,
                        "title": event.position,
                        "known_from": record.position,
                    },
                )
            case b.ProblemFound():
                views.insert(
                    cases,
                    {
                        "branch_id": _branch_id(event),
                        "case_id": event.case_id,
                        "problem": event.problem,
                        "measure": event.measure,
                        "owner_id": event.owner_id,
                        "deadline": event.deadline,
                        "found_on": event.effective_on,
                        "known_from": record.position,
                    },
                )
            case b.RectificationSignedOff():
                _supersede(
                    views,
                    cases,
                    record.position,
                    {"branch_id": _branch_id(event), "case_id": event.case_id},
                    closed_on=event.effective_on,
                    outcome=event.outcome,
                )
            case b.RecordCorrected():
                _correct(views, _branch_id(event), record.position, event)
            case roster.LeaderAppointed():
                views.insert(
                    leaders,
                    {
                        "committee_id": event.committee_id,
                        "person_id": event.person_id,
                        "since": event.effective_on,
                        "position": event.position,
                        "known_from": record.position,
                    },
                )
            case roster.LeadershipEnded():
                serving = views.read(
                    leaders,
                    sa.select(leaders.c.since).where(
                        _current(
                            leaders, committee_id=event.committee_id, person_id=event.person_id
                        )
                        & leaders.c.until.is_(None)
                    ),
                ).first()
                if serving is not None:
                    _supersede(
                        views,
                        leaders,
                        record.position,
                        {
                            "committee_id": event.committee_id,
                            "person_id": event.person_id,
                            "since": serving.since,
                        },
                        until=event.effective_on,
                    )
            case problems_rules.CommonProblemRecorded():
                views.insert(
                    common_problems,
                    {
                        "committee_id": event.committee_id,
                        "problem_id": event.problem_id,
                        "year": event.year,
                        "problem": event.problem,
                        "measure": event.measure,
                        "known_from": record.position,
                    },
                )
            case legacy.AdvancedCapExceptionRecorded():
                approver = event.exception.approved_by
                views.insert(
                    cap_exceptions,
                    {
                        "position": record.position,
                        "committee_id": event.committee_id,
                        "years": ",".join(str(y) for y in event.years),
                        "justification": event.exception.justification,
                        "approved_by_person_id": approver.person_id,
                        "approved_by_committee_id": approver.committee_id,
                        "effective_on": event.effective_on,
                    },
                )
            case advanced_cap.CapExceptionApproved():
                views.insert(
                    cap_exceptions,
                    {
                        "position": record.position,
                        "committee_id": event.committee_id,
                        "years": str(event.year),
                        "justification": event.reason,
                        "approved_by_person_id": event.actor.person_id,
                        "approved_by_committee_id": event.actor.committee_id,
                        "effective_on": event.effective_on,
                    },
                )
            case _:
                pass
