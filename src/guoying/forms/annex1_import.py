"""Importing a ledger kept in the Annex 1 layout as ordinary commands (`ledger.row`).

The file is compared with the ledger the store holds for the committee and year, and only
the differences become commands: a branch registered (with a unit it serves and its first
assessment), the years' results and targets, problems with their measures, liaisons (people
registered by id with their name and telephone as personal data) and the year's common
problems. They are decided as one unit under the same rules and authority as any command,
acting as a named system actor for the importing committee, so importing the same file
twice records nothing new.

An import never removes: a target, result, problem or liaison the store holds and the file
leaves out stays as recorded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from openpyxl.utils import get_column_letter

from guoying.api import (
    Actor,
    Command,
    CommitteeLevel,
    CommitteeRow,
    Guoying,
    GuoyingError,
    Ledger,
    LedgerRow,
    Sector,
    Tier,
)
from guoying.api.imports import (
    AdjustTier,
    AssignLiaison,
    RecordCommonProblem,
    RecordProblem,
    RegisterBranch,
    RegisterPerson,
    RegisterUnit,
    SetCreationTarget,
    UnitKind,
)
from guoying.forms.annex1_reader import (
    ROW_RULE,
    Columns,
    ReadLedger,
    ReadRow,
    open_annex1,
)
from guoying.forms.import_check import RowPlan, assemble, check_rows, from_error, from_problem
from guoying.forms.import_report import ImportIssue, ImportReport, PlannedCommand

C = TypeVar("C", bound=Command)

IMPORT_ROLE = "import"
# The kind of a unit a new branch serves, by its sector (`org.unit`).
UNIT_KINDS: dict[Sector, UnitKind] = {
    Sector.RURAL: UnitKind.VILLAGE,
    Sector.URBAN_COMMUNITY: UnitKind.COMMUNITY,
    Sector.PUBLIC_INSTITUTION: UnitKind.INSTITUTION,
    Sector.STATE_OWNED_ENTERPRISE: UnitKind.ENTERPRISE,
    Sector.NON_PUBLIC_ENTERPRISE: UnitKind.ENTERPRISE,
    Sector.SOCIAL_ORGANIZATION: UnitKind.ORGANIZATION,
    Sector.OTHER: UnitKind.OTHER,
}


def import_annex1(
    guoying: Guoying,
    path: Path,
    committee_id: str,
    year: int,
    *,
    dry_run: bool = False,
    partial: bool = False,
) -> ImportReport:
    """Record a ledger file in the Annex 1 layout for `committee_id` (a base committee, or
    a higher one whose rows name their base committee in 所属基层党委) and `year`.

    Nothing is written when a row cannot be read or breaks a rule, unless `partial`, when
    the good rows go in one unit; a dry run writes nothing (not even a refusal). Raises a
    GuoyingError when the committee or year has no ledger.
    """
    read = open_annex1(path)
    return import_read(
        guoying, read, path.name, committee_id, year, dry_run=dry_run, partial=partial
    )


def import_read(
    guoying: Guoying,
    read: ReadLedger,
    file: str,
    committee_id: str,
    year: int,
    *,
    dry_run: bool = False,
    partial: bool = False,
) -> ImportReport:
    def report(
        planned: Sequence[PlannedCommand],
        issues: Iterable[ImportIssue],
        written: bool = False,
        event_ids: Sequence[str] = (),
    ) -> ImportReport:
        ordered = sorted(issues, key=lambda i: (i.row or 0, i.column or ""))
        return ImportReport(
            file,
            committee_id,
            year,
            dry_run,
            partial,
            tuple(planned),
            tuple(ordered),
            written,
            tuple(event_ids),
        )

    read_issues = [from_problem(p) for p in read.problems]
    if read.header_problems:
        return report((), read_issues)
    ledger = guoying.ledger(committee_id, year)
    if read.window != ledger.window:
        years = "、".join(f"{y}年" for y in ledger.window)
        issue = ImportIssue(
            read.rows[0].row - 1 if read.rows else None,
            "E",
            ROW_RULE,
            "header",
            f"the file's years are not the plan window of {year} ({years})",
        )
        return report((), [*read_issues, issue])
    planner = _Planner(guoying, ledger, read, file, guoying.committees(on=date(year, 12, 31)))
    plans = [planner.plan_row(row) for row in read.rows]
    plans.append(planner.plan_common())
    issues = read_issues + [i for p in plans for i in p.issues]
    unread = {i.row for i in read_issues}
    good = [p for p in plans if not p.issues and p.commands and p.row not in unread]
    issues += check_rows(
        guoying,
        good,
        log_refusal=not dry_run,
        people=planner.people,
        partial=partial,
        complete=not read_issues and not any(p.issues for p in plans),
    )
    good = [p for p in good if not p.refused]
    planned = assemble(good, planner.people)
    if dry_run or not planned or (issues and not partial):
        # All or nothing: with a row that cannot go in, nothing would be recorded.
        return report(planned if not issues or partial else (), issues)
    try:
        outcome = guoying.execute_unit([p.command for p in planned])
    except GuoyingError as error:
        # Another writer changed the store between the check and the write.
        return report(planned, [*issues, from_error(None, None, error)])
    return report(planned, issues, written=True, event_ids=outcome.event_ids)


def _digest(*parts: str) -> str:
    """A short stable id part: the same text gives the same id in every import."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:10]


def branch_id_for(base_committee_id: str, name: str) -> str:
    """A new branch's id, from its base committee and name."""
    return f"{base_committee_id}-b{_digest(name)}"


def person_id_for(base_committee_id: str, name: str) -> str:
    """A liaison's id: one person per name within a base committee."""
    return f"{base_committee_id}-p{_digest(name)}"


class _Planner:
    def __init__(
        self,
        guoying: Guoying,
        ledger: Ledger,
        read: ReadLedger,
        file: str,
        committees: list[CommitteeRow],
    ) -> None:
        self.guoying = guoying
        self.ledger = ledger
        self.read = read
        self.year = ledger.year
        self.committee_id = ledger.committee.committee_id
        self.columns = Columns(ledger.window)
        self.actor = Actor(f"system:import:{self.committee_id}", self.committee_id, IMPORT_ROLE)
        self.reason = f"导入附件1台账（{file}）"
        # Decided as of the end of the ledger's year (today while the year runs), so the
        # year's ledger shows what was imported.
        self.on = min(date(self.year, 12, 31), guoying.today())
        self.by_name = {(r.base_committee_id, r.name): r for r in ledger.rows}
        self.by_id = {r.branch_id: r for r in ledger.rows}
        # The liaisons the ledger already names, by base committee and name: a file naming
        # one of them for another branch means that person, not a new one.
        self.liaison_ids: dict[tuple[str, str], set[str]] = {}
        for r in ledger.rows:
            if r.liaison_id is not None and r.liaison_name is not None:
                self.liaison_ids.setdefault((r.base_committee_id, r.liaison_name), set()).add(
                    r.liaison_id
                )
        self.bases = _base_committees(committees, self.committee_id)
        self.people: dict[str, PlannedCommand] = {}
        self.known_people = guoying.people_known(
            person_id_for(self.base_of_name(r), r.liaison_name) for r in read.rows if r.liaison_name
        ) | {r.liaison_id for r in ledger.rows if r.liaison_id}

    def base_of_name(self, row: ReadRow) -> str:
        return row.base_committee_id or self.committee_id

    def command(self, command_type: type[C], /, **fields: Any) -> C:
        """A command of the import: its actor, reason and date, and its own fields."""
        return command_type(actor=self.actor, reason=self.reason, effective_on=self.on, **fields)

    def column(self, index: int) -> str:
        return get_column_letter(index)

    def plan_row(self, row: ReadRow) -> RowPlan:
        plan = RowPlan(row.row)
        base = self.base_committee(row, plan)
        if base is None:
            return plan
        existing = self.by_name.get((base, row.name))
        if row.branch_id is not None:
            named = self.by_id.get(row.branch_id)
            if (existing and existing.branch_id != row.branch_id) or (
                named is not None and named is not existing
            ):
                plan.issue(
                    self.column(self.columns.base_committee + 1),
                    ROW_RULE,
                    f"branch id {row.branch_id!r} does not match the branch named {row.name} "
                    f"at {base} ({existing.branch_id if existing else 'none yet'})",
                )
                return plan
        if existing is None:
            self.plan_new(plan, row, base)
        else:
            self.plan_existing(plan, row, existing)
        return plan

    def base_committee(self, row: ReadRow, plan: RowPlan) -> str | None:
        if self.ledger.committee.level is CommitteeLevel.BASE:
            if row.base_committee_id not in (None, self.committee_id):
                plan.issue(
                    self.column(self.columns.base_committee),
                    "ledger.rollup",
                    f"the row belongs to {row.base_committee_id!r}, not to "
                    f"{self.committee_id!r} whose ledger is imported",
                )
                return None
            return self.committee_id
        if row.base_committee_id is None:
            plan.issue(
                self.column(self.columns.base_committee),
                "ledger.rollup",
                f"{self.committee_id!r} is above base level: each row names its base "
                "committee in 所属基层党委",
            )
            return None
        if row.base_committee_id not in self.bases:
            plan.issue(
                self.column(self.columns.base_committee),
                "ledger.rollup",
                f"{row.base_committee_id!r} is not a base committee under {self.committee_id!r}",
            )
            return None
        return row.base_committee_id

    def results(self, row: ReadRow, plan: RowPlan) -> list[tuple[int, Tier]]:
        found = []
        for index, (year, tier) in enumerate(row.results.items()):
            if tier is None:
                continue
            if year > self.year:
                plan.issue(
                    self.column(self.columns.results + index),
                    "ledger.annual_adjustment",
                    f"a result for {year} cannot stand in the ledger of {self.year}",
                )
            found.append((year, tier))
        return found

    def plan_new(self, plan: RowPlan, row: ReadRow, base: str) -> None:
        branch_id = row.branch_id or branch_id_for(base, row.name)
        results = self.results(row, plan)
        if results and results[-1][1] is not row.tier:
            plan.issue(
                "D",
                "ledger.annual_adjustment",
                f"the current tier {row.tier.name} is not the last year's result "
                f"{results[-1][1].name}: a tier changes only by a year's evaluation",
            )
        if plan.issues:
            return
        years = [y for y, t in row.targets.items() if t is not None] + [y for y, _ in results]
        first_year = min([*years, self.year])
        unit_id = f"{branch_id}-unit"
        plan.add(
            "C",
            self.command(
                RegisterUnit,
                unit_id=unit_id,
                name=row.name,
                kind=UNIT_KINDS[row.sector],
                committee_id=base,
            ),
        )
        plan.add(
            "C",
            self.command(
                RegisterBranch,
                branch_id=branch_id,
                name=row.name,
                sector=row.sector,
                base_committee_id=base,
                unit_ids=(unit_id,),
                year=first_year,
                # Its first assessment: the earliest result the file shows, else the
                # current tier.
                tier=results[0][1] if results else row.tier,
            ),
        )
        self.plan_years(plan, row, branch_id, None)
        owner = self.plan_liaison(plan, row, branch_id, base, None)
        self.plan_problems(plan, row, branch_id, owner, None)

    def plan_existing(self, plan: RowPlan, row: ReadRow, existing: LedgerRow) -> None:
        if row.sector is not existing.sector:
            plan.issue(
                "A",
                ROW_RULE,
                f"{row.name} is recorded in sector {existing.sector.name}, not "
                f"{row.sector.name}; a branch's sector is not changed by an import",
            )
        results = self.results(row, plan)
        changed = [(y, t) for y, t in results if existing.results.get(y) is not t]
        recorded = [y for y, t in existing.results.items() if t is not None]
        tier = existing.tier
        if changed and changed[-1][0] >= max(recorded, default=changed[-1][0]):
            tier = changed[-1][1]
        if row.tier is not tier:
            plan.issue(
                "D",
                "ledger.annual_adjustment",
                f"the current tier {row.tier.name} differs from {tier.name} that the results "
                "give: a tier changes only by a year's evaluation",
            )
        if plan.issues:
            return
        self.plan_years(plan, row, existing.branch_id, existing)
        base = existing.base_committee_id
        owner = self.plan_liaison(plan, row, existing.branch_id, base, existing)
        self.plan_problems(plan, row, existing.branch_id, owner, existing)

    def plan_years(
        self, plan: RowPlan, row: ReadRow, branch_id: str, existing: LedgerRow | None
    ) -> None:
        for index, (year, tier) in enumerate(row.results.items()):
            if tier is not None and (existing is None or existing.results.get(year) is not tier):
                plan.add(
                    self.column(self.columns.results + index),
                    self.command(
                        AdjustTier,
                        branch_id=branch_id,
                        year=year,
                        tier=tier,
                    ),
                )
        for index, (year, target) in enumerate(row.targets.items()):
            if target is not None and (
                existing is None or existing.targets.get(year) is not target
            ):
                plan.add(
                    self.column(self.columns.targets + index),
                    self.command(
                        SetCreationTarget,
                        branch_id=branch_id,
                        year=year,
                        target=target,
                    ),
                )

    def plan_liaison(
        self,
        plan: RowPlan,
        row: ReadRow,
        branch_id: str,
        base: str,
        existing: LedgerRow | None,
    ) -> str | None:
        """The liaison's person id (the owner of the row's problems), after planning what
        differs from the store."""
        column = self.column(self.columns.liaison)
        if row.liaison_name is None:
            return existing.liaison_id if existing else None
        position = row.liaison_position or ""
        if existing is not None and existing.liaison_name == row.liaison_name:
            assert existing.liaison_id is not None
            if (row.liaison_contact or "") != (existing.liaison_contact or ""):
                # A person's telephone is personal data held apart from the events; an
                # import does not change it, and says so rather than call the file recorded.
                plan.issues.append(
                    ImportIssue(
                        plan.row,
                        self.column(self.columns.liaison + 2),
                        ROW_RULE,
                        "contact",
                        f"the contact of {row.liaison_name} differs from the store's; an "
                        "import does not change a person's telephone number",
                    )
                )
            if existing.liaison_position != position:
                plan.add(
                    column,
                    self.command(
                        AssignLiaison,
                        branch_id=branch_id,
                        person_id=existing.liaison_id,
                        position=position,
                    ),
                )
            return existing.liaison_id
        known = self.liaison_ids.get((base, row.liaison_name), set())
        person_id = next(iter(known)) if len(known) == 1 else person_id_for(base, row.liaison_name)
        if len(known) != 1 and person_id not in self.known_people:
            plan.new_people.append(person_id)
            self.people.setdefault(
                person_id,
                PlannedCommand(
                    plan.row,
                    column,
                    self.command(
                        RegisterPerson,
                        person_id=person_id,
                        name=row.liaison_name,
                        phone=row.liaison_contact or "",
                    ),
                ),
            )
        plan.add(
            column,
            self.command(
                AssignLiaison,
                branch_id=branch_id,
                person_id=person_id,
                position=position,
            ),
        )
        return person_id

    def plan_problems(
        self,
        plan: RowPlan,
        row: ReadRow,
        branch_id: str,
        owner: str | None,
        existing: LedgerRow | None,
    ) -> None:
        recorded = (
            set(zip(existing.problems, existing.measures, strict=True)) if existing else set()
        )
        column = self.column(self.columns.problems)
        for position, (problem, measure) in enumerate(
            zip(row.problems, row.measures, strict=True), start=1
        ):
            if (problem, measure) in recorded:
                continue
            if owner is None:
                plan.issue(
                    self.column(self.columns.liaison),
                    "ledger.rectification",
                    "a problem needs someone answerable for it: name the row's liaison",
                )
                return
            plan.add(
                column,
                self.command(
                    RecordProblem,
                    branch_id=branch_id,
                    # Numbered as in the file, so the view lists the cases in the file's order.
                    case_id=f"{branch_id}-{self.year}-{position:03d}-{_digest(problem, measure)}",
                    problem=problem,
                    measure=measure,
                    owner_id=owner,
                    # The source gives a row's rectification no deadline: an imported
                    # problem is due by the end of the ledger's year (a Reading).
                    deadline=date(self.year, 12, 31),
                ),
            )

    def plan_common(self) -> RowPlan:
        plan = RowPlan(self.read.common_row)
        recorded = {
            (c.problem, c.measure) for c in self.ledger.common_problems if c.year == self.year
        }
        for problem, measure in zip(
            self.read.common_problems, self.read.common_measures, strict=False
        ):
            if (problem, measure) in recorded:
                continue
            plan.add(
                "D",
                self.command(
                    RecordCommonProblem,
                    committee_id=self.committee_id,
                    problem_id=f"{self.committee_id}-{self.year}-{_digest(problem, measure)}",
                    year=self.year,
                    problem=problem,
                    measure=measure,
                ),
            )
        return plan


def _base_committees(committees: list[CommitteeRow], top: str) -> set[str]:
    children: dict[str | None, list[CommitteeRow]] = {}
    for c in committees:
        children.setdefault(c.parent_id, []).append(c)
    found: set[str] = set()
    stack = [top]
    while stack:
        current = stack.pop()
        for child in children.get(current, []):
            if child.level is CommitteeLevel.BASE and child.active:
                found.add(child.committee_id)
            stack.append(child.committee_id)
    return found
