"""The annexes as people file them: each form's writer (XLSX, DOCX, CSV, JSON) over the one
view the API gives for it, and the reader that imports a ledger kept in a spreadsheet.

This layer sits between the command line and the API: it reads views through `guoying.api`
only, so an embedder writes the same files the CLI writes.
"""

from guoying.forms.annex1_import import import_annex1
from guoying.forms.annex1_reader import Problem, ReadLedger, ReadRow, open_annex1, read_annex1
from guoying.forms.import_report import ImportIssue, ImportReport, PlannedCommand, report_lines

__all__ = [
    "ImportIssue",
    "ImportReport",
    "PlannedCommand",
    "Problem",
    "ReadLedger",
    "ReadRow",
    "import_annex1",
    "open_annex1",
    "read_annex1",
    "report_lines",
]
