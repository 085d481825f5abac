"""Property: a cell wrapped to a column (`guoying.cli.tables.wrap`) keeps every line within
the column's width, counting a Chinese character as two columns, breaks only between words
and between Chinese characters (never inside a Latin word, an id or a number), and loses no
character."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from guoying.cli.tables import longest_atom, wrap

WORDS = st.sampled_from(
    ["dy-manzhuang-003", "ledger.advanced_cap", "2019-06-30", "12", "name=北店村党支部,", "a"]
)
CHINESE = st.text(alphabet="北店村党支部整改（过硬），。、", min_size=1, max_size=30).filter(
    lambda text: text[0] not in "，。、）"
)
TEXT = st.lists(st.one_of(WORDS, CHINESE), min_size=1, max_size=12).map(" ".join)


@given(TEXT, st.integers(min_value=0, max_value=60))
def test_a_wrapped_cell_fits_its_column_and_reads_back_whole(text: str, extra: int) -> None:
    width = longest_atom(text) + extra
    lines = wrap(text, width)

    assert all(cell_len(line) <= width for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.split())
    assert [w for w in text.split() if w.isascii() and not any(w in line for line in lines)] == []
    assert not any(line.startswith(("，", "。", "、", "）")) for line in lines)


@given(TEXT)
def test_a_word_wider_than_the_column_stands_whole_on_its_own_line(text: str) -> None:
    lines = wrap(text, 1)

    assert "".join("".join(lines).split()) == "".join(text.split())
    assert [w for w in text.split() if w.isascii() and w not in lines] == []
