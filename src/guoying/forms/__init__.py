"""The annexes as people file them: each form's writer (XLSX, DOCX, CSV, JSON) over the one
view the API gives for it, and the reader that imports a ledger kept in a spreadsheet.

This layer sits between the command line and the API: it reads views through `guoying.api`
only, so an embedder writes the same files the CLI writes.

>>> from guoying.forms import FileFormat
>>> [f.value for f in FileFormat]
['xlsx', 'docx', 'csv', 'json']
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from guoying.forms.annex1 import ledger_data, ledger_sheet, ledger_table, write_ledger
    from guoying.forms.annex1_import import import_annex1
    from guoying.forms.annex1_reader import Problem, ReadLedger, ReadRow, open_annex1, read_annex1
    from guoying.forms.annex2 import (
        cultivation_data,
        cultivation_sheet,
        cultivation_table,
        write_cultivation_plan,
    )
    from guoying.forms.annex3 import (
        form_data,
        form_fields,
        form_sheet,
        form_table,
        write_nomination_form,
    )
    from guoying.forms.annex4 import (
        mentoring_data,
        mentoring_sheets,
        mentoring_table,
        write_mentoring,
    )
    from guoying.forms.export import ANNEXES, Exported, export_annex
    from guoying.forms.files import (
        BadRequest,
        CannotWrite,
        CsvTable,
        NoData,
        csv_text,
        json_text,
        write_atomically,
    )
    from guoying.forms.formats import FileFormat
    from guoying.forms.import_report import ImportIssue, ImportReport, PlannedCommand, report_lines
    from guoying.forms.layout import Cell, Sheet
    from guoying.forms.office import document, workbook, write_docx, write_xlsx

    __all__ = [
        "ANNEXES",
        "BadRequest",
        "CannotWrite",
        "Cell",
        "CsvTable",
        "Exported",
        "FileFormat",
        "ImportIssue",
        "ImportReport",
        "NoData",
        "PlannedCommand",
        "Problem",
        "ReadLedger",
        "ReadRow",
        "Sheet",
        "csv_text",
        "cultivation_data",
        "cultivation_sheet",
        "cultivation_table",
        "document",
        "export_annex",
        "form_data",
        "form_fields",
        "form_sheet",
        "form_table",
        "import_annex1",
        "json_text",
        "ledger_data",
        "ledger_sheet",
        "ledger_table",
        "mentoring_data",
        "mentoring_sheets",
        "mentoring_table",
        "open_annex1",
        "read_annex1",
        "report_lines",
        "workbook",
        "write_atomically",
        "write_cultivation_plan",
        "write_docx",
        "write_ledger",
        "write_mentoring",
        "write_nomination_form",
        "write_xlsx",
    ]

# Each name beside its module, imported on first use (PEP 562): the command line's help and
# its reads of a table need neither the spreadsheet nor the document writer.
_MODULES = {
    **dict.fromkeys(
        ["ledger_data", "ledger_sheet", "ledger_table", "write_ledger"], "guoying.forms.annex1"
    ),
    **dict.fromkeys(["import_annex1"], "guoying.forms.annex1_import"),
    **dict.fromkeys(
        ["Problem", "ReadLedger", "ReadRow", "open_annex1", "read_annex1"],
        "guoying.forms.annex1_reader",
    ),
    **dict.fromkeys(
        ["cultivation_data", "cultivation_sheet", "cultivation_table", "write_cultivation_plan"],
        "guoying.forms.annex2",
    ),
    **dict.fromkeys(
        ["form_data", "form_fields", "form_sheet", "form_table", "write_nomination_form"],
        "guoying.forms.annex3",
    ),
    **dict.fromkeys(
        ["mentoring_data", "mentoring_sheets", "mentoring_table", "write_mentoring"],
        "guoying.forms.annex4",
    ),
    **dict.fromkeys(["ANNEXES", "Exported", "export_annex"], "guoying.forms.export"),
    **dict.fromkeys(
        [
            "BadRequest",
            "CannotWrite",
            "CsvTable",
            "NoData",
            "csv_text",
            "json_text",
            "write_atomically",
        ],
        "guoying.forms.files",
    ),
    **dict.fromkeys(
        ["ImportIssue", "ImportReport", "PlannedCommand", "report_lines"],
        "guoying.forms.import_report",
    ),
    **dict.fromkeys(["Cell", "Sheet"], "guoying.forms.layout"),
    "FileFormat": "guoying.forms.formats",
    **dict.fromkeys(["document", "workbook", "write_docx", "write_xlsx"], "guoying.forms.office"),
}


def __getattr__(name: str) -> Any:
    if name == "__all__":
        return list(_MODULES)
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'guoying.forms' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULES})
