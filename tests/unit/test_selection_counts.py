"""The counts of a selection year, owned by `YearSelection` (`selection:YEAR`) and judged on a
unit's end state: `selection.allotment`, `selection.proposal_ratio` and
`selection.annual_titles`, each on the aggregate's judge and through the handler."""

from __future__ import annotations

from datetime import date

import pytest
from attrs import evolve

from guoying.application import commands as cmd
from guoying.application.errors import Refused
from guoying.application.service import Handler
from guoying.domain.exceptions import RuleViolation
from guoying.domain.nomination import TitleConferred
from guoying.domain.policy import TAIAN_2017, PolicyBook
from guoying.domain.selection_year import YearSelection, selection_key
from guoying.domain.values import TitleLevel
from tests.unit import selection_builders as sb
from tests.unit.builders import CITY, CM_A, CM_B, OD, fixed_clock, setup_commands
from tests.unit.fakes import FakeEventStore

SMALL = evolve(TAIAN_2017, version="two-titles", annual_titles=2)


def year_with(**counts: object) -> YearSelection:
    return YearSelection(id="selection:2018", version=3, year=2018, **counts)  # type: ignore[arg-type]


def rule_broken(year: YearSelection, policy: object = SMALL) -> str | None:
    try:
        year.judge(policy)  # type: ignore[arg-type]
    except RuleViolation as violation:
        return violation.rule_id
    return None


# The judge, on the aggregate's end state


def test_allotments_within_the_years_titles_pass_the_judge() -> None:
    """`selection.allotment`: allotments may sum to exactly the year's titles."""
    assert rule_broken(year_with(allotments={CM_A: 1, CM_B: 1})) is None


def test_allotments_summing_over_the_years_titles_break_selection_allotment() -> None:
    """`selection.allotment`: the allotments sum to at most `selection.annual_titles`."""
    assert rule_broken(year_with(allotments={CM_A: 2, CM_B: 1})) == "selection.allotment"


def test_more_proposals_than_two_per_place_break_selection_proposal_ratio() -> None:
    """`selection.proposal_ratio`: at most `candidates_per_place` x allotment proposals; a
    committee with no allotment proposes none."""
    at_the_ratio = year_with(allotments={CM_A: 1}, proposals={CM_A: ("n1", "n2")})
    assert rule_broken(at_the_ratio) is None
    over = year_with(allotments={CM_A: 1}, proposals={CM_A: ("n1", "n2", "n3")})
    assert rule_broken(over) == "selection.proposal_ratio"
    unallotted = year_with(allotments={CM_A: 1}, proposals={CM_B: ("n4",)})
    assert rule_broken(unallotted) == "selection.proposal_ratio"


def test_naming_more_of_a_committees_proposals_than_its_allotment_breaks_selection_allotment() -> (
    None
):
    """`selection.allotment`: the city names at most a committee's allotment from that
    committee's proposals."""
    year = year_with(
        allotments={CM_A: 1, CM_B: 1},
        proposals={CM_A: ("n1", "n2"), CM_B: ("n3",)},
        named={CM_A: ("n1", "n2")},
    )
    assert rule_broken(year) == "selection.allotment"


def test_naming_more_than_the_years_titles_breaks_selection_annual_titles() -> None:
    """`selection.annual_titles`: names over the year's number are refused by that rule,
    also when the allotments no longer fit a policy that lowered the number since."""
    year = year_with(
        allotments={CM_A: 1, CM_B: 1},
        proposals={CM_A: ("n1", "n2"), CM_B: ("n3", "n4")},
        named={CM_A: ("n1",), CM_B: ("n3",)},
    )
    assert rule_broken(year, SMALL) is None
    assert rule_broken(year, evolve(SMALL, annual_titles=1)) == "selection.annual_titles"


# Through the handler: refused, logged, nothing written


def handler_with(*policies: object) -> tuple[Handler, FakeEventStore]:
    store = FakeEventStore()
    book = PolicyBook(policies or (SMALL,))  # type: ignore[arg-type]
    handler = Handler(store, policies=book, clock=fixed_clock)
    handler.execute_unit(setup_commands())
    return handler, store


def refused(handler: Handler, store: FakeEventStore, command: cmd.Command) -> str:
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(command)
    assert store.event_count == before, "a refusal writes nothing"
    assert store.refusals[-1].rule_id == caught.value.rule_id
    assert store.refusals[-1].command is command
    return caught.value.rule_id


def allot(committee_id: str, places: int, on: date = date(2018, 1, 10)) -> cmd.AllotPlaces:
    return sb.command(
        cmd.AllotPlaces, OD, on, year=sb.YEAR, committee_id=committee_id, places=places
    )


def test_an_allotment_taking_the_sum_over_the_years_titles_is_refused_selection_allotment() -> None:
    """`selection.allotment` on `selection:2018`: with two titles a year, 1 + 1 fits and a
    third place is refused; the count keeps the allotments that were accepted."""
    handler, store = handler_with()
    handler.execute(allot(CM_A, 1))
    handler.execute(allot(CM_B, 1))
    assert refused(handler, store, allot(CM_B, 2)) == "selection.allotment"
    counts = store.get(selection_key(sb.YEAR))
    assert counts is not None
    assert counts.allotments == {CM_A: 1, CM_B: 1}


def test_a_submission_over_two_proposals_per_place_is_refused_selection_proposal_ratio() -> None:
    """`selection.proposal_ratio`: cm-a decided two proposals on one allotted place; the
    Organization Department then lowered its allotment to nothing before the submission,
    which is therefore refused, and nothing enters the city's round."""
    handler, store = handler_with()
    sb.run(
        handler,
        [
            *sb.through_intermediate(),
            *sb.city_managed_round(
                CM_A, sb.CM_A_CANDIDATES, sb.CM_A_CANDIDATES[:2], sb.PROPOSALS[:2]
            ),
            *sb.dossiers(sb.PROPOSALS[:2], CM_A, date(sb.YEAR, 5, 30)),
            allot(CM_A, 0, date(sb.YEAR, 5, 30)),
        ],
    )
    submission = sb.command(
        cmd.SubmitProposals,
        CM_A,
        date(sb.YEAR, 5, 30),
        committee_id=CM_A,
        year=sb.YEAR,
        document_no="cm-a-2018-7",
        process="recommended, inspected, decided",
        opinions_gathered="every agency answered",
    )
    assert refused(handler, store, submission) == "selection.proposal_ratio"
    counts = store.get(selection_key(sb.YEAR))
    assert counts is not None
    assert counts.proposals == {}
    assert store.stream_ids(f"round:{CITY}:") == []


def test_a_naming_over_the_years_titles_is_refused_selection_annual_titles() -> None:
    """`selection.annual_titles`: the places were allotted and the preliminary list decided
    under two titles a year; a policy taking effect before the naming allows one. The naming
    of two is refused by the annual number, and no title is conferred."""
    lowered = evolve(SMALL, version="one-title", effective_on=date(2018, 6, 12), annual_titles=1)
    handler, store = handler_with(SMALL, lowered)
    sb.run(handler, sb.through_city_list())
    assert refused(handler, store, sb.naming()) == "selection.annual_titles"
    counts = store.get(selection_key(sb.YEAR))
    assert counts is not None
    assert counts.named == {}
    assert not any(
        isinstance(e, TitleConferred) and e.level is TitleLevel.CITY for e in store.positions
    )


def test_a_revocation_never_frees_a_place_of_selection_annual_titles() -> None:
    """`selection.annual_titles` (Reading: the count is of titles named in the year): after
    the city names two of two and revokes one, the year still counts two."""
    handler, store = handler_with()
    sb.run(handler, sb.whole_year())
    handler.execute(
        sb.command(cmd.RevokeTitle, CITY, date(sb.YEAR, 9, 1), nomination_id=sb.NAMED[0])
    )
    counts = store.get(selection_key(sb.YEAR))
    assert counts is not None
    assert counts.named_count == 2 == SMALL.annual_titles
