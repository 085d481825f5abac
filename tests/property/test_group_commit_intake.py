"""A write handed to a group's leader (docs/adr/013-group-commit.md) reaches it as it was
decided: its intake row's payload gives back every event's stored bytes and every person's
data exactly, whatever text and bytes they hold; and an outcome read back from its row is
the outcome recorded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from guoying.adapters import group_commit
from guoying.application.ports import PersonalData

texts = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12)
events = st.fixed_dictionaries(
    {
        "originator_id": texts,
        "originator_version": st.integers(min_value=1, max_value=2**62),
        "topic": texts,
        "state": st.binary(max_size=64),
    }
)
people = st.builds(PersonalData, texts, texts, texts)
writes = st.builds(
    group_commit.Write,
    st.lists(events, max_size=5),
    st.lists(people, max_size=2).map(tuple),
)
outcomes = st.one_of(
    st.builds(
        group_commit.Outcome,
        st.just(group_commit.APPLIED),
        st.lists(st.integers(min_value=1, max_value=2**62), max_size=5),
    ),
    st.builds(
        group_commit.Outcome,
        st.sampled_from([group_commit.CONFLICT, group_commit.FAILED]),
        message=texts,
    ),
)


@given(writes)
def test_a_write_decoded_from_its_intake_payload_is_the_write_encoded(
    write: group_commit.Write,
) -> None:
    assert group_commit.decode(group_commit.encode(write)) == write


@given(outcomes)
def test_an_outcome_read_from_its_intake_row_is_the_outcome_recorded(
    outcome: group_commit.Outcome,
) -> None:
    read = group_commit.Outcome.read(outcome.status, outcome.stored())
    assert read.status == outcome.status
    assert list(read.positions) == list(outcome.positions)
    assert read.message == outcome.message
