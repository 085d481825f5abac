"""Tables that fit the width they are given, with every name and number whole.

One policy for every table the command line prints, tried in this order:

1. the table at its natural width, when that fits (always when the output is piped without
   $COLUMNS: the width is then unbounded, see `output_width`);
2. the same table with its prose columns wrapped: a line breaks between words and between
   two Chinese characters, never inside an id, a number, a date or a Latin word, and the
   columns that name or count something are never broken at all;
3. one record per block, `label: value` lines, a long value wrapped under itself.

Nothing is cut and nothing ends in an ellipsis. Wide (Chinese) characters count two columns,
as a terminal shows them.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len

if TYPE_CHECKING:
    from rich.console import Console

# Piped output without $COLUMNS has no width to fit: each table is printed at its natural
# width, each line of text as long as it is.
UNBOUNDED = 1 << 16
# A prose column is never narrower than this (unless all its text is): a column of a few
# characters a line is read one word at a time.
PROSE_MIN = 12
# The labels of a block are aligned up to this share of the width; a longer label stands on
# a line of its own above its value.
LABEL_SHARE = 3
# A line never starts with closing punctuation nor ends with opening punctuation.
CLOSING = frozenset("，。、；：！？）》」』】〉”’")
OPENING = frozenset("（《「『【〈“‘")
PROSE_MARKS = frozenset("，。；：")


@dataclass(frozen=True)
class Column:
    """A column: `wraps` for prose that may break between words; the others (names, ids,
    counts, dates, labels) keep each line whole. `right` aligns numbers."""

    header: str
    wraps: bool = False
    right: bool = False


def output_width() -> int | None:
    """The width results are laid out in: $COLUMNS when set; else the terminal's (None lets
    rich ask it), or unbounded when standard output is not a terminal."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return None if sys.stdout.isatty() else UNBOUNDED


def _prose(text: str) -> bool:
    # Words between spaces, or Chinese clauses between commas: a name has neither.
    return " " in text.strip() or any(mark in text for mark in PROSE_MARKS)


def table_columns(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[Column]:
    """Columns for plain rows: one that holds prose (several words, or Chinese clauses)
    wraps, one of numbers alone is aligned right, the others (ids, names, dates) stay
    whole."""
    return [
        Column(
            title,
            wraps=any(_prose(str(row[i])) for row in rows),
            right=bool(rows) and all(isinstance(row[i], int | float) for row in rows),
        )
        for i, title in enumerate(header)
    ]


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in {"W", "F"}


def _breaks_before(previous: str, char: str) -> bool:
    if previous.isspace() or char.isspace():
        return previous.isspace() != char.isspace()
    return _wide(previous) and _wide(char) and char not in CLOSING and previous not in OPENING


def atoms(text: str) -> list[str]:
    """The pieces of one line of text that a wrap keeps together: runs of spaces, Latin
    words (with what is glued to them) and single Chinese characters (with their
    punctuation)."""
    found: list[str] = []
    for char in text:
        if found and not _breaks_before(found[-1][-1], char):
            found[-1] += char
        else:
            found.append(char)
    return found


def longest_atom(text: str) -> int:
    return max(
        (cell_len(a) for line in text.split("\n") for a in atoms(line) if not a.isspace()),
        default=0,
    )


def wrap(text: str, width: int) -> list[str]:
    """The lines of `text` at most `width` columns wide, broken only between atoms; an atom
    wider than `width` stands whole on a line of its own."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, space = "", ""
        for atom in atoms(paragraph):
            if atom.isspace():
                space = atom if line else ""
            elif not line or cell_len(line + space + atom) <= width:
                line, space = line + space + atom, ""
            else:
                lines.append(line)
                line, space = atom, ""
        lines.append(line)
    return lines


def _natural(text: str) -> int:
    return max(cell_len(line) for line in text.split("\n"))


def _header_floor(header: str) -> int:
    # A header wraps at its spaces only: "创建目标" is read as one word.
    return max((cell_len(word) for word in header.split()), default=0)


@dataclass(frozen=True)
class _Sized:
    column: Column
    natural: int
    floor: int


def _sizes(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> list[_Sized]:
    sized = []
    for i, column in enumerate(columns):
        cells = [row[i] for row in rows]
        natural = max([_natural(column.header), *map(_natural, cells)])
        if column.wraps:
            floor = max(
                [_header_floor(column.header), min(natural, PROSE_MIN), *map(longest_atom, cells)]
            )
        else:
            floor = max([_header_floor(column.header), *map(_natural, cells)])
        sized.append(_Sized(column, max(natural, floor), floor))
    return sized


def _overhead(columns: int) -> int:
    # rich's default box: a rule left of each column and at the right edge, one space of
    # padding either side of each cell.
    return 3 * columns + 1


def _widths(sized: Sequence[_Sized], width: int) -> list[int] | None:
    """The width of each column in `width` columns: natural if the table fits, else the
    prose narrowed to share what the whole columns leave; None if even that is too wide."""
    room = width - _overhead(len(sized))
    if sum(s.natural for s in sized) <= room:
        return [s.natural for s in sized]
    if sum(s.floor for s in sized) > room:
        return None
    spare = room - sum(s.floor for s in sized)
    slack = sum(s.natural - s.floor for s in sized)
    return [s.floor + (s.natural - s.floor) * spare // slack for s in sized]


def show(
    out: Console,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
    *,
    show_header: bool = True,
) -> None:
    """Print the rows as a table that fits `out`'s width, else as one block per record."""
    texts = [["" if cell is None else str(cell) for cell in row] for row in rows]
    sized = _sizes(columns, texts)
    widths = _widths(sized, out.width)
    if widths is None:
        print_blocks(out, title, [c.header for c in columns], texts)
    else:
        _print_table(out, title, columns, texts, widths, show_header=show_header)


def _print_table(
    out: Console,
    title: str,
    columns: Sequence[Column],
    texts: Sequence[Sequence[str]],
    widths: Sequence[int],
    *,
    show_header: bool,
) -> None:
    from rich.table import Table
    from rich.text import Text

    cells = [[wrap(text, w) for text, w in zip(row, widths, strict=True)] for row in texts]
    table = Table(
        title=Text(title) if title else None,
        show_header=show_header,
        show_lines=any(len(lines) > 1 for row in cells for lines in row),
    )
    for column, w in zip(columns, widths, strict=True):
        table.add_column(
            Text("\n".join(wrap(column.header, w))),
            width=w,
            no_wrap=True,
            justify="right" if column.right else "left",
        )
    for row in cells:
        table.add_row(*(Text("\n".join(lines)) for lines in row))
    out.print(table)


def print_blocks(
    out: Console, title: str, headers: Sequence[str], texts: Sequence[Sequence[str]]
) -> None:
    """One block per record, `label: value` lines with the values aligned; an empty value
    is left out, and a blank line ends each block."""
    from rich.text import Text

    labels = [" ".join(header.split()) or "-" for header in headers]
    indent = min(max(cell_len(label) for label in labels) + 2, out.width // LABEL_SHARE)
    lines = [*wrap(title, out.width), ""] if title else []
    for row in texts:
        for label, text in zip(labels, row, strict=True):
            if not text:
                continue
            value = wrap(text, max(out.width - indent, PROSE_MIN))
            head = f"{label}:"
            if cell_len(head) + 1 > indent:
                lines.append(head)
            else:
                lines.append(head + " " * (indent - cell_len(head)) + value.pop(0))
            lines += [" " * indent + line for line in value]
        lines.append("")
    out.print(Text("\n".join(lines).rstrip("\n")), soft_wrap=True)
