"""The recommendation and approval form of one nomination (Annex 3, `selection.form`):
the branch, its committees, its secretary, the dossier, its recorded awards and the four
opinions, each sealed by a committee and dated; an opinion not given yet is None."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.adapters import schema
from guoying.domain.labels import ERASED
from guoying.projections.ledger.tree import CommitteeRow
from guoying.projections.reading import NOW, Reading, business_date
from guoying.projections.selection.queries import (
    SelectionRow,
    branch_names,
    city_managed_of,
    committees_above,
    name_of,
    read_rows,
)
from guoying.projections.selection.tables import selection_events as t


@frozen
class FormOpinion:
    """An opinion as the form shows it: sealed by `committee_id`, dated `on`."""

    committee_id: str
    committee_name: str | None
    text: str
    on: date


@frozen
class FormAward:
    award_id: str
    name: str
    level: str
    year: int
    awarded_by: str


@frozen
class NominationForm:
    nomination_id: str
    year: int
    branch_id: str
    branch_name: str | None
    base_committee_id: str
    base_committee_name: str | None
    city_managed_committee_id: str | None
    city_managed_committee_name: str | None
    secretary_person_id: str | None
    secretary_name: str | None
    secretary_phone: str | None
    secretary_erased: bool
    basic_facts: str | None
    past_honours: str | None
    awards: tuple[FormAward, ...]
    main_deeds: str | None
    base_opinion: FormOpinion | None
    city_managed_opinion: FormOpinion | None
    organization_department_opinion: FormOpinion | None
    city_opinion: FormOpinion | None


def _opinion(
    committees: dict[str, CommitteeRow], row: SelectionRow | None, sealed_by: str | None = None
) -> FormOpinion | None:
    if row is None:
        return None
    committee_id = sealed_by or str(row.committee_id)
    return FormOpinion(
        committee_id, name_of(committees, committee_id), row.reason, row.effective_on
    )


def read_form(
    conn: Connection, nomination_id: str, reading: Reading = NOW
) -> NominationForm | None:
    """The form as known at the reading's store position; None if the nomination was not
    known then."""
    rows = read_rows(conn, Reading(reading.cut), t.c.nomination_id == nomination_id)
    applied = next((r for r in rows if r.event == "BranchApplied"), None)
    if applied is None:
        return None
    year, branch_id = int(applied.detail["year"]), str(applied.detail["branch_id"])
    base = str(applied.detail["base_committee_id"])
    on = business_date(year, Reading(reading.cut))
    dossier = next((r for r in reversed(rows) if r.event == "DossierRecorded"), None)
    opinions: dict[str, SelectionRow] = {}
    for row in rows:
        if row.event == "BranchRecommended":
            # The latest of each level: a committee opinion given again replaces its first.
            opinions[row.detail["level"]] = row
        elif row.event == "TitleConferred" and row.detail["level"] == "CITY":
            opinions["NAMED"] = row
    city_row = opinions.get("CITY")
    sealing = {base, city_row.actor_committee_id if city_row else None}
    committees = committees_above(conn, sealing, on, reading.cut)
    city_managed = city_managed_of(committees, base)
    secretary = dossier.detail["secretary_person_id"] if dossier else None
    person = None
    if secretary is not None:
        person = conn.execute(
            sa.select(schema.people).where(schema.people.c.person_id == secretary)
        ).first()
    # The honours stream holds the branch's awards alone.
    awards = read_rows(conn, Reading(reading.cut), t.c.stream == f"honours:{branch_id}")
    return NominationForm(
        nomination_id,
        year,
        branch_id,
        branch_names(conn, [branch_id], on, reading.cut).get(branch_id),
        base,
        name_of(committees, base),
        city_managed,
        name_of(committees, city_managed),
        secretary,
        person.name if person else None,
        person.phone if person else None,
        person is not None and person.name == ERASED,
        dossier.detail["basic_facts"] if dossier else None,
        dossier.detail["past_honours"] if dossier else None,
        tuple(
            FormAward(
                a.detail["award_id"],
                a.detail["name"],
                a.detail["level"],
                int(a.detail["year"]),
                a.detail["awarded_by"],
            )
            for a in awards
        ),
        dossier.detail["main_deeds"] if dossier else None,
        _opinion(committees, opinions.get("BASE")),
        _opinion(committees, opinions.get("CITY_MANAGED")),
        # The city's round is reviewed by the Organization Department acting for the city
        # committee: its seal is the department's.
        _opinion(committees, city_row, city_row.actor_committee_id if city_row else None),
        _opinion(committees, opinions.get("NAMED")),
    )
