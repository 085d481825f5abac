"""A revoked title ends its pairs (`mentoring.eligibility`): the process that reacts to the
title events, exactly once, and keeps the pairs of a downgraded mentor."""

from __future__ import annotations

from datetime import date

import pytest

from guoying.application import commands as cmd
from guoying.application.pairs_on_revocation import PROCESS_ACTOR, PairsEndedOnRevocation
from guoying.application.ports import ProcessStep, StepTaken
from guoying.application.processes import ProcessRunner
from guoying.application.service import Handler
from guoying.application.titles_held import HeldSpan, first_day_untitled
from guoying.domain.mentoring import MentoringPairEnded, mentor_key, pair_key
from guoying.domain.nomination import TitleRevoked
from guoying.domain.policy import DEFAULT_POLICY_BOOK
from guoying.domain.values import Tier, TitleLevel
from tests.unit import selection_builders as sb
from tests.unit.builders import BASE_A1, BASE_B1, CITY, CM_A, CM_B, fixed_clock, setup_commands
from tests.unit.fakes import FakeEventStore
from tests.unit.test_mentoring import MENTEES, MENTOR, ON, pair

REVOKED_ON = date(sb.YEAR, 9, 1)
PIONEER = sb.NAMED[0]  # the nomination that gave MENTOR its Taishan Pioneer title
PROCESS = PairsEndedOnRevocation(DEFAULT_POLICY_BOOK)


def runner(handler: Handler) -> ProcessRunner:
    return ProcessRunner(handler, [PROCESS])


@pytest.fixture
def paired(store: FakeEventStore, handler: Handler) -> Handler:
    sb.run(handler, sb.whole_year())
    handler.execute(pair("p1", MENTEES[0]))
    handler.execute(pair("p2", MENTEES[1]))
    return handler


def ended(store: FakeEventStore, pair_id: str) -> list[MentoringPairEnded]:
    return [e for e in store.stream(pair_key(pair_id)) if isinstance(e, MentoringPairEnded)]


def test_mentoring_eligibility_a_revoked_title_ends_each_pair_with_the_revocation_as_reason(
    store: FakeEventStore, paired: Handler
) -> None:
    paired.execute(sb.command(cmd.RevokeTitle, CITY, REVOKED_ON, nomination_id=PIONEER))
    done = runner(paired).run()
    # The two pairs formed, then the revocation.
    assert (done.events, done.commands, done.refused) == (3, 2, 0)
    for pair_id in ("p1", "p2"):
        [ending] = ended(store, pair_id)
        assert ending.effective_on == REVOKED_ON
        assert ending.actor.person_id == PROCESS_ACTOR
        # On behalf of the body whose decision it carries out.
        assert ending.actor.committee_id == CITY
        assert "red-flag title was revoked by city" in ending.reason
        assert f"RevokeTitle by {CITY}" in ending.reason
    load = store.get(mentor_key(MENTOR))
    assert load is not None
    assert load.active == ()
    assert store.refusals == []


def test_mentoring_eligibility_the_process_reacts_once_however_often_it_runs(
    store: FakeEventStore, paired: Handler
) -> None:
    paired.execute(sb.command(cmd.RevokeTitle, CITY, REVOKED_ON, nomination_id=PIONEER))
    runner(paired).run()
    before = store.event_count
    # A second runner (a restart) and the first again: nothing more to do.
    again = runner(paired).run()
    assert (again.events, again.commands) == (0, 0)
    runner(paired).run()
    assert store.event_count == before
    assert store.refusals == []
    assert len(ended(store, "p1")) == 1


def test_mentoring_eligibility_a_downgrade_keeps_the_pairs(
    store: FakeEventStore, paired: Handler
) -> None:
    paired.execute(sb.command(cmd.DowngradeTitle, CITY, REVOKED_ON, nomination_id=PIONEER))
    runner(paired).run()
    assert ended(store, "p1") == []
    load = store.get(mentor_key(MENTOR))
    assert load is not None
    assert load.active == ("p1", "p2")
    # A second downgrade revokes the committee-level title it kept: now the pairs end.
    paired.execute(sb.command(cmd.DowngradeTitle, CM_A, REVOKED_ON, nomination_id=PIONEER))
    runner(paired).run()
    assert [e.actor.committee_id for e in ended(store, "p1")] == [CM_A]


def test_mentoring_eligibility_a_pair_already_ended_is_not_ended_again(
    store: FakeEventStore, paired: Handler
) -> None:
    paired.execute(sb.command(cmd.EndMentoringPair, CM_A, date(sb.YEAR, 8, 1), pair_id="p1"))
    paired.execute(sb.command(cmd.RevokeTitle, CITY, REVOKED_ON, nomination_id=PIONEER))
    done = runner(paired).run()
    assert (done.commands, done.refused) == (1, 0)
    assert [e.effective_on for e in ended(store, "p1")] == [date(sb.YEAR, 8, 1)]
    assert len(ended(store, "p2")) == 1


def test_a_runner_that_finds_the_position_moved_stands_down_without_writing(
    store: FakeEventStore, paired: Handler
) -> None:
    """Two runners decide on the same revocation: the second's write, made after the
    first's, finds the process past the event and is undone whole (no refusal logged)."""
    paired.execute(sb.command(cmd.RevokeTitle, CITY, REVOKED_ON, nomination_id=PIONEER))
    [(at, revoked)] = store.events_after(0, (TitleRevoked,), 10)
    late = PROCESS.commands(store, revoked)
    runner(paired).run()
    before = store.event_count
    with pytest.raises(StepTaken):
        paired.execute_unit(late, step=ProcessStep(PROCESS.name, 0, at))
    assert store.event_count == before
    assert store.refusals == []


def test_the_process_moves_its_position_only_with_what_it_decided(
    store: FakeEventStore, paired: Handler
) -> None:
    """A write that fails leaves the position where it was, so a restart reacts again."""
    paired.execute(sb.command(cmd.RevokeTitle, CITY, REVOKED_ON, nomination_id=PIONEER))

    def crash() -> None:
        raise RuntimeError("the process died before its write committed")

    store.before_next_save = crash
    with pytest.raises(RuntimeError):
        runner(paired).run()
    assert store.process_position(PROCESS.name) == 0
    assert ended(store, "p1") == []
    runner(paired).run()
    assert len(ended(store, "p1")) == 1
    assert store.process_position(PROCESS.name) > 0


RED_FLAG = sb.PROPOSALS[1]  # cm-a's committee-level title for base-a1-b1
RED_FLAG_MENTOR = RED_FLAG.removesuffix(f"-{sb.YEAR}")


def test_mentoring_eligibility_a_mentor_moved_away_has_its_pairs_ended_by_its_new_committee(
    store: FakeEventStore, handler: Handler
) -> None:
    """cm-a conferred the title and revokes it after the branch moved under cm-b: cm-a may no
    longer act on the mentor, so the process acts for cm-b, the mentor's city-managed
    committee then; the pair ends and nothing is refused."""
    sb.run(handler, sb.whole_year())
    handler.execute(pair("p1", MENTEES[0], mentor=RED_FLAG_MENTOR))
    handler.execute(
        sb.command(
            cmd.MoveBranch,
            CITY,
            date(sb.YEAR, 8, 1),
            branch_id=RED_FLAG_MENTOR,
            to_committee_id=BASE_B1,
        )
    )
    handler.execute(sb.command(cmd.RevokeTitle, CM_A, REVOKED_ON, nomination_id=RED_FLAG))
    runner(handler).run()
    [ending] = ended(store, "p1")
    assert (ending.actor.committee_id, ending.effective_on) == (CM_B, REVOKED_ON)
    assert f"RevokeTitle by {CM_A}" in ending.reason
    assert store.refusals == []


def test_mentoring_eligibility_a_revocation_backdated_before_the_pair_ends_it_on_its_first_day(
    store: FakeEventStore, paired: Handler
) -> None:
    """The title is revoked as from a date before the pairs were formed: they end on the day
    they were formed, the first day the mentor held no title."""
    paired.execute(sb.command(cmd.RevokeTitle, CITY, date(sb.YEAR, 6, 30), nomination_id=PIONEER))
    runner(paired).run()
    [ending] = ended(store, "p1")
    assert ending.effective_on == ON
    assert "held no red-flag title on" in ending.reason


def span(nomination: str, since: tuple[int, int], until: tuple[int, int] | None) -> HeldSpan:
    return HeldSpan(
        nomination,
        TitleLevel.COMMITTEE,
        date(2018, *since),
        date(2018, *until) if until else None,
    )


def test_mentoring_eligibility_the_first_day_untitled_reads_every_title_held() -> None:
    """Judged from every title's span, not from the title held now: a second title keeps the
    pairs while it lasts; the first day no title covers is when they end."""
    start = date(2018, 7, 1)
    assert first_day_untitled([span("a", (1, 1), None)], start) is None
    # Two titles, the first revoked in October: the second holds for good.
    assert first_day_untitled([span("a", (1, 1), (10, 1)), span("b", (6, 1), None)], start) is None
    # Both revoked, the second later: the day the second ends, whichever was recorded first.
    both = [span("b", (6, 1), (12, 1)), span("a", (1, 1), (10, 1))]
    assert first_day_untitled(both, start) == date(2018, 12, 1)
    # Chained titles (a downgrade replaces one with another the same day).
    chained = [span("a", (1, 1), (9, 1)), span("a", (9, 1), (11, 1))]
    assert first_day_untitled(chained, start) == date(2018, 11, 1)
    # A title revoked as from before the start: the start itself.
    assert first_day_untitled([span("a", (1, 1), (3, 1))], start) == start


class CountingStore(FakeEventStore):
    """Counts how often a runner asks where its process stands."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    def process_position(self, name: str) -> int:
        self.asked += 1
        return super().process_position(name)


def test_a_runner_passes_over_its_own_write_without_reading_the_store() -> None:
    """One writer's commands cost the processes no query; a write by another in between,
    or one of the kinds followed, is read and reacted to."""
    store = CountingStore()
    handler = Handler(store, clock=fixed_clock)
    handler.execute_unit(setup_commands())
    sb.run(handler, sb.whole_year())
    mine, other = runner(handler), runner(handler)
    mine.run()
    asked = store.asked
    # A write with nothing the process follows, right after what this runner read.
    registered = handler.execute(
        sb.command(
            cmd.SetCreationTarget,
            BASE_A1,
            ON,
            branch_id=MENTEES[0],
            year=sb.YEAR,
            target=Tier.MIDDLE,
        )
    )
    mine.run(registered)
    assert store.asked == asked
    # A pair formed (followed): read and reacted to.
    formed = handler.execute(pair("p1", MENTEES[0]))
    assert mine.run(formed).events == 1
    assert store.asked > asked
    # Another runner's write in between: read again.
    other.run()
    handler.execute(sb.command(cmd.RevokeTitle, CITY, REVOKED_ON, nomination_id=PIONEER))
    asked = store.asked
    after = handler.execute(
        sb.command(
            cmd.SetCreationTarget,
            BASE_A1,
            ON,
            branch_id=MENTEES[1],
            year=sb.YEAR,
            target=Tier.MIDDLE,
        )
    )
    assert mine.run(after).commands == 1  # the revocation, stored in between, ended p1
    assert store.asked > asked
    assert len(ended(store, "p1")) == 1
