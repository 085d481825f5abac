"""Annex 3, the recommendation and approval form (“泰山先锋”红旗党支部推荐审批表), from
`Guoying.form`: as the source lays it out (XLSX, DOCX), as a CSV of its boxes and as JSON.

The form is a grid of label and box: one box per line, the secretary's name and telephone
side by side, then the four opinions, each with its text, the committee that sealed it and
its date, as the source's （盖章） and 年 月 日 under each opinion."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from guoying.api import (
    ADDED_HEADERS,
    ANNEX_SHEET,
    FORM_HEADERS,
    FORM_TITLE,
    NOT_GIVEN,
    FormOpinion,
    NominationForm,
    day_label,
    to_data,
)
from guoying.forms.files import CsvTable, as_rows
from guoying.forms.formats import FileFormat
from guoying.forms.layout import Cell, Sheet

OPINIONS = (
    "base_opinion",
    "city_managed_opinion",
    "organization_department_opinion",
    "city_opinion",
)
_WIDTHS = (18.0, 34.0, 16.0, 30.0)


def opinion_text(opinion: FormOpinion | None) -> str:
    """An opinion's box: its text, then the seal of the committee that gave it and the date;
    one not given yet says so."""
    if opinion is None:
        return NOT_GIVEN
    seal = opinion.committee_name or opinion.committee_id
    return f"{opinion.text}\n（{FORM_HEADERS['seal']}：{seal}）{day_label(opinion.on)}"


def _opinion(form: NominationForm, key: str) -> FormOpinion | None:
    found: FormOpinion | None = getattr(form, key)
    return found


def form_fields(form: NominationForm) -> list[tuple[str, str]]:
    """The form's boxes in the order of Annex 3: (key of FORM_HEADERS, what it holds)."""
    honours = [form.past_honours or ""] + [
        f"{a.year}年 {a.name}（{a.awarded_by}，{a.level}）" for a in form.awards
    ]
    return [
        ("filed_by", form.city_managed_committee_name or form.city_managed_committee_id or ""),
        ("name", form.branch_name or form.branch_id),
        ("base_committee", form.base_committee_name or form.base_committee_id),
        ("city_managed_committee", form.city_managed_committee_name or ""),
        ("secretary", form.secretary_name or ""),
        ("phone", form.secretary_phone or ""),
        ("basic_facts", form.basic_facts or ""),
        ("past_honours", "\n".join(h for h in honours if h)),
        ("main_deeds", form.main_deeds or ""),
        *((key, opinion_text(_opinion(form, key))) for key in OPINIONS),
    ]


def form_sheet(form: NominationForm) -> Sheet:
    """Annex 3 as the source lays it out: the title, the filing committee, then each label
    beside its box; the secretary's name and telephone share a line."""
    fields = dict(form_fields(form))
    cells: list[Cell] = []
    for row, key in enumerate(
        (
            "name",
            "base_committee",
            "city_managed_committee",
            "secretary",
            "basic_facts",
            "past_honours",
            "main_deeds",
            *OPINIONS,
        )
    ):
        cells.append(Cell(row, 0, FORM_HEADERS[key], header=True))
        if key == "secretary":
            cells.append(Cell(row, 1, fields["secretary"]))
            cells.append(Cell(row, 2, FORM_HEADERS["phone"], header=True))
            cells.append(Cell(row, 3, fields["phone"]))
        else:
            cells.append(Cell(row, 1, fields[key], columns=3))
    return Sheet(
        name=ANNEX_SHEET.format(number=3),
        title=FORM_TITLE,
        filed_by=f"{FORM_HEADERS['filed_by']}：{fields['filed_by']}",
        dated="",
        filed_span=len(_WIDTHS),
        widths=_WIDTHS,
        header_rows=0,
        cells=tuple(cells),
    )


def form_table(form: NominationForm) -> CsvTable:
    """Annex 3 as CSV, one box a row: its key, its Chinese label, what it holds, and for a
    committee or an opinion the committee's id and the opinion's date; the nomination's and
    the branch's ids first."""
    committees = {
        "base_committee": form.base_committee_id,
        "city_managed_committee": form.city_managed_committee_id or "",
        "filed_by": form.city_managed_committee_id or "",
    }
    rows: list[list[object]] = [
        ["nomination_id", ADDED_HEADERS["nomination_id"], form.nomination_id, "", ""],
        ["branch_id", ADDED_HEADERS["branch_id"], form.branch_id, form.base_committee_id, ""],
    ]
    for key, value in form_fields(form):
        opinion = _opinion(form, key) if key in OPINIONS else None
        committee = opinion.committee_id if opinion else committees.get(key, "")
        rows.append(
            [key, FORM_HEADERS[key], value, committee, opinion.on.isoformat() if opinion else ""]
        )
    return CsvTable(("field", "label", "value", "committee_id", "on"), as_rows(rows))


def form_data(form: NominationForm) -> dict[str, Any]:
    data: dict[str, Any] = to_data(form)
    return data


def write_nomination_form(
    path: Path, form: NominationForm, file_format: FileFormat, *, bom: bool = False
) -> None:
    """Write Annex 3 to `path` whole or not at all."""
    # The office writers (openpyxl, python-docx) are imported by the files that need them,
    # not by the tables and JSON the command line prints from this module.
    from guoying.forms.office import write_form

    write_form(
        path,
        file_format,
        sheets=lambda: [form_sheet(form)],
        table=lambda: form_table(form),
        data=lambda: form_data(form),
        bom=bom,
    )
