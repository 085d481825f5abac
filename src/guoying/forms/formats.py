"""The formats a form is written in: a module of its own, so that a command line can offer
them as an option's choices without importing any writer."""

from __future__ import annotations

from enum import StrEnum


class FileFormat(StrEnum):
    XLSX = "xlsx"
    DOCX = "docx"
    CSV = "csv"
    JSON = "json"
