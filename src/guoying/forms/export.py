"""One annex of one committee and year (or one nomination) read from a store and written to
a file: what `guoying export` does, for embedders too.

Errors name the option's field: `annex`, `committee_id`, `year`, `nomination_id`, `out`.
Asking for an annex that does not exist or leaving out what it needs is a BadRequest (exit
2); a committee, year or nomination with nothing to show is NotFound or NoData (exit 1); a
path that cannot be written is CannotWrite (exit 2), and leaves nothing behind.
"""

from __future__ import annotations

from pathlib import Path

from attrs import frozen

from guoying.api import Guoying
from guoying.forms.annex1 import write_ledger
from guoying.forms.annex2 import write_cultivation_plan
from guoying.forms.annex3 import write_nomination_form
from guoying.forms.annex4 import filed_schedules, write_mentoring
from guoying.forms.files import BadRequest, NoData
from guoying.forms.formats import FileFormat

ANNEXES = (1, 2, 3, 4)


@frozen
class Exported:
    """What was written: the annex, where, and how many rows (pairs, branches) it holds."""

    annex: int
    path: Path
    rows: int


def _required(annex: int, committee_id: str | None, year: int | None) -> tuple[str, int]:
    if committee_id is None:
        raise BadRequest("committee_id", f"Annex {annex} needs a committee")
    if year is None:
        raise BadRequest("year", f"Annex {annex} needs a year")
    return committee_id, year


def export_annex(
    guoying: Guoying,
    annex: int,
    path: Path,
    file_format: FileFormat,
    *,
    committee_id: str | None = None,
    year: int | None = None,
    nomination_id: str | None = None,
    bom: bool = False,
) -> Exported:
    """Write Annex `annex` to `path`: 1, a committee's ledger of a year (the rollup above
    base level); 2, a city-managed committee's cultivation plan for the window containing
    the year; 3, a nomination's form (`committee_id` and `year`, if given, must be the
    form's); 4, the filed mentoring schedules under a committee in a year."""
    if annex not in ANNEXES:
        raise BadRequest("annex", f"no Annex {annex}: the work plan has Annexes 1 to 4")
    if annex == 3:
        return _export_form(guoying, path, file_format, committee_id, year, nomination_id, bom)
    committee, in_year = _required(annex, committee_id, year)
    if annex == 1:
        ledger = guoying.ledger(committee, in_year)
        if not ledger.rows:
            raise NoData("committee_id", f"the ledger of {committee!r} for {in_year} is empty")
        write_ledger(path, ledger, file_format, written_on=guoying.today(), bom=bom)
        return Exported(annex, path, len(ledger.rows))
    if annex == 2:
        plan = guoying.cultivation_plan(committee, in_year, whole_window=True)
        if not plan.rows:
            raise NoData(
                "committee_id",
                f"{committee!r} has filed no cultivation plan for {plan.window[0]}-"
                f"{plan.window[-1]}",
            )
        write_cultivation_plan(path, plan, file_format, written_on=guoying.today(), bom=bom)
        return Exported(annex, path, len(plan.rows))
    view = guoying.mentoring(committee, in_year)
    filed = filed_schedules(view)
    if not filed:
        raise NoData(
            "committee_id",
            f"no mentoring schedule (Annex 4) was filed under {committee!r} for {in_year}",
        )
    write_mentoring(path, view, file_format, bom=bom)
    return Exported(annex, path, sum(len(s.entries) for s in filed))


def _export_form(
    guoying: Guoying,
    path: Path,
    file_format: FileFormat,
    committee_id: str | None,
    year: int | None,
    nomination_id: str | None,
    bom: bool,
) -> Exported:
    if nomination_id is None:
        raise BadRequest("nomination_id", "Annex 3 is the form of one nomination; name it")
    form = guoying.form(nomination_id)
    if year is not None and form.year != year:
        raise NoData("year", f"{nomination_id!r} is a nomination of {form.year}, not {year}")
    committees = {form.base_committee_id, form.city_managed_committee_id}
    if committee_id is not None and committee_id not in committees:
        raise NoData(
            "committee_id",
            f"{nomination_id!r} was nominated under {form.base_committee_id!r}, not "
            f"{committee_id!r}",
        )
    write_nomination_form(path, form, file_format, bom=bom)
    return Exported(3, path, 1)
