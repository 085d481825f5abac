"""An Annex 1 workbook written by guoying's own writer (`guoying.forms.write_ledger`), for
the import's round-trip tests: a file `guoying export --annex 1` writes imports back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from guoying.api import Ledger
from guoying.forms import FileFormat, write_ledger


def write_annex1(ledger: Ledger, path: Path, *, written_on: date) -> Path:
    write_ledger(path, ledger, FileFormat.XLSX, written_on=written_on)
    return path
