"""The chain's entry hash, as Hypothesis properties (docs/adr/011-chain-digest-v2.md).

Version 2 hashes a row's stored bytes with every length in front of them: a change of any
one stored value, a byte moved from one text column into the next, or an empty value made
NULL gives another hash. And the auditor's stand-alone verifier (docs/verify_chain.py, its
own code, standard library only) computes the same hash as guoying for any row, of either
version.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from guoying.adapters import chain
from guoying.adapters.schema import GENESIS

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_chain.py"
_spec = importlib.util.spec_from_file_location("verify_chain", SCRIPT)
assert _spec is not None
assert _spec.loader is not None
verify_chain: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(verify_chain)

integers = st.integers(min_value=-(2**63), max_value=2**63 - 1)
# Text as PostgreSQL and SQLite both keep it: no NUL, no lone surrogate.
texts = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12)
positions = st.integers(min_value=1, max_value=2**62)
hashes = st.binary(min_size=32, max_size=32).map(bytes.hex) | st.just(GENESIS)
events = st.fixed_dictionaries(
    {
        "id": integers,
        "originator_id": texts,
        "originator_version": integers,
        "topic": texts,
        "state": st.binary(max_size=24),
        "recorded_at": integers,
    }
)
refusals = st.fixed_dictionaries(
    {
        "id": integers,
        "recorded_at": integers,
        **dict.fromkeys(chain.REFUSAL_TEXTS, texts),
        "subject_committee_id": st.none() | texts,
    }
)
rows = st.one_of(
    st.tuples(st.just(chain.EVENT), events), st.tuples(st.just(chain.REFUSAL), refusals)
)


def v2(previous: str, position: int, kind: str, row: dict[str, Any]) -> str:
    return chain.entry_hash(chain.V2, previous, position, kind, row)


def changed(value: object, data: st.DataObject) -> object:
    """Another value of the same stored type."""
    if isinstance(value, int):
        strategy: st.SearchStrategy[Any] = integers
    elif isinstance(value, bytes):
        strategy = st.binary(max_size=24)
    else:
        strategy = texts
    return data.draw(strategy.filter(lambda other: other != value))


@given(hashes, positions, rows, st.data())
def test_changing_any_one_stored_value_changes_the_version_2_hash(
    previous: str, position: int, kind_row: tuple[str, dict[str, Any]], data: st.DataObject
) -> None:
    kind, row = kind_row
    column = data.draw(st.sampled_from(chain.COLUMNS[kind]))
    edited = {**row, column: changed(row[column], data)}

    assert v2(previous, position, kind, edited) != v2(previous, position, kind, row)


@given(hashes, positions, events, st.data())
def test_bytes_moved_from_one_column_into_the_next_change_the_version_2_hash(
    previous: str, position: int, row: dict[str, Any], data: st.DataObject
) -> None:
    """originator_id "ab" and topic "c" do not hash as "a" and "bc"."""
    joined = data.draw(texts.filter(bool))
    cut, other = data.draw(
        st.lists(st.integers(0, len(joined)), min_size=2, max_size=2, unique=True)
    )
    one = {**row, "originator_id": joined[:cut], "topic": joined[cut:]}
    another = {**row, "originator_id": joined[:other], "topic": joined[other:]}

    assert v2(previous, position, chain.EVENT, one) != v2(previous, position, chain.EVENT, another)


@given(hashes, positions, refusals)
def test_an_empty_subject_and_no_subject_hash_differently(
    previous: str, position: int, row: dict[str, Any]
) -> None:
    empty, none = {**row, "subject_committee_id": ""}, {**row, "subject_committee_id": None}

    assert v2(previous, position, chain.REFUSAL, empty) != v2(
        previous, position, chain.REFUSAL, none
    )


@given(hashes, positions, rows, st.sampled_from(chain.VERSIONS))
def test_the_stand_alone_verifier_hashes_every_row_as_guoying_does(
    previous: str, position: int, kind_row: tuple[str, dict[str, Any]], version: int
) -> None:
    kind, row = kind_row

    ours = chain.entry_hash(version, previous, position, kind, row)

    assert verify_chain.link(version, previous, position, kind, row) == ours
