"""Writing a form's file whole or not at all, the formats a form is written in, and the
CSV text every writer shares (optionally with the byte-order mark spreadsheets need)."""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from attrs import frozen

from guoying.api import GuoyingError

BOM = "\ufeff"


class CannotWrite(GuoyingError):
    """The output file could not be written; nothing was left at its path."""

    exit_code = 2
    kind = "cannot_write"

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"out: cannot write {str(path)!r}: {reason}")
        self.field = "out"
        self.path = path


class NoData(GuoyingError):
    """The view exists but holds nothing a form could show (no branch, nothing filed)."""

    kind = "not_found"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class BadRequest(GuoyingError):
    """What was asked for cannot be a form: an unknown annex, an option an annex needs."""

    exit_code = 2
    kind = "bad_request"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@frozen
class CsvTable:
    """A form as one CSV table: a header and rows, ids and counts in their own columns."""

    header: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]


def csv_text(table: CsvTable, *, bom: bool = False) -> str:
    """The table as CSV text; with `bom`, led by the UTF-8 byte-order mark by which
    spreadsheet programs recognise Chinese text as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return (BOM if bom else "") + buffer.getvalue()


def json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def write_atomically(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write a file through a temporary file in the same folder, renamed over `path` only
    once complete: a failure at any point leaves `path` as it was and no temporary file."""
    path = Path(path)
    if path.is_dir():
        raise CannotWrite(path, "it is a folder")
    if path.is_symlink() or (path.exists() and not path.is_file()):
        # Renaming over it would replace the link or the device itself, not write through.
        raise CannotWrite(path, "it is not a regular file (a link, a device or a pipe)")
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        # Created as an ordinary file would be (0666 less the umask), not private to its owner.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise CannotWrite(path, error.strerror or str(error)) from error
    try:
        with os.fdopen(descriptor, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        temporary.replace(path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise CannotWrite(path, error.strerror or str(error)) from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    write_atomically(path, lambda file: file.write(text.encode("utf-8")))


def write_table(path: Path, table: CsvTable, *, bom: bool = False) -> None:
    write_text(path, csv_text(table, bom=bom))


def as_rows(rows: Sequence[Sequence[object]]) -> tuple[tuple[object, ...], ...]:
    return tuple(tuple(row) for row in rows)
