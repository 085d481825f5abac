"""What no sequence of mentoring commands may break, read from a store's events and
aggregates (rules.md section 7), whatever the machine or the test that wrote them believes.

`MentoringChecks(store, policy)` reads the mentoring events the store committed since it
last looked (so that a state machine can check after every step at the cost of what the
step wrote), and `problems(on)` lists every breach, one sentence each naming its rule id;
`check(on)` fails with them:

- `mentoring.eligibility`: no active pair whose mentor holds no red-flag title on `on`
  (after a revocation the process has ended them), and no branch mentoring itself;
- `mentoring.ratio`: no mentee with two active mentors, and its `mentee:` record names its
  one active pair; no mentor with more active pairs than the policy's `mentees_max`, and
  its `mentor:` count holds exactly its active pairs;
- `mentoring.plan`: each pair formed once and ended at most once, never before it was
  formed, taken on and released at most once by its mentor's count and its mentee's
  record.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from attrs import define, field

from guoying.adapters.store import SqlStore
from guoying.application.ports import AggregateReader
from guoying.domain.events import AnyEvent
from guoying.domain.mentoring import (
    MenteeReleased,
    MenteeTaken,
    MentorAssigned,
    MentoringPair,
    MentoringPairEnded,
    MentoringPairFormed,
    MentorReleased,
    mentee_key,
    mentor_key,
    pair_key,
)
from guoying.domain.nomination import nomination_id_of, nomination_key
from guoying.domain.policy import Policy

__all__ = ["MENTORING_EVENTS", "MentoringChecks"]

MENTORING_EVENTS: tuple[type[AnyEvent], ...] = (
    MentoringPairFormed,
    MentoringPairEnded,
    MenteeTaken,
    MenteeReleased,
    MentorAssigned,
    MentorReleased,
)
BATCH = 500


@define
class MentoringChecks:
    """The mentoring invariants over one store, judged by one policy's maximum and years."""

    store: SqlStore
    policy: Policy
    _position: int = 0
    # What the events said, counted: each pair's formings and endings, and each
    # (stream, pair) taking on and release on the mentors' counts and mentees' records.
    _moves: Counter[tuple[str, str, str]] = field(factory=Counter)
    _pairs: dict[str, tuple[str, str]] = field(factory=dict)

    def check(self, on: date) -> None:
        """Fail (AssertionError) with every breach found on `on`."""
        problems = self.problems(on)
        assert not problems, "\n".join(problems)

    def read(self) -> None:
        """Count the mentoring events committed since the last look."""
        while batch := self.store.events_after(self._position, MENTORING_EVENTS, BATCH):
            for position, event in batch:
                self._position = position
                self._count(event)

    def _count(self, event: AnyEvent) -> None:
        kind = type(event).__name__
        if isinstance(event, MentoringPairFormed):
            self._pairs[event.pair_id] = (event.mentor_branch_id, event.mentee_branch_id)
            self._moves[(kind, event.originator_id, event.pair_id)] += 1
        elif isinstance(event, MentoringPairEnded):
            self._moves[(kind, event.originator_id, event.originator_id)] += 1
        elif isinstance(event, MenteeTaken | MenteeReleased | MentorAssigned | MentorReleased):
            self._moves[(kind, event.originator_id, event.pair_id)] += 1

    def problems(self, on: date) -> list[str]:
        self.read()
        reader = self.store.reader()
        pairs: list[MentoringPair] = []
        found = []
        for pair_id in self._pairs:
            pair = reader.get(pair_key(pair_id))
            if pair is None:
                found.append(f"mentoring.plan: pair {pair_id!r} has no stream of its own")
                continue
            pairs.append(pair)
            found += self._pair_problems(pair)
            if pair.active and pair.mentor_branch_id == pair.mentee_branch_id:
                found.append(f"mentoring.eligibility: {pair_id} pairs a branch with itself")
            if pair.active and not self.holds_title(reader, pair.mentor_branch_id, on):
                found.append(
                    f"mentoring.eligibility: {pair_id} is active but its mentor "
                    f"{pair.mentor_branch_id!r} holds no red-flag title on {on}"
                )
        found += self._mentee_problems(reader, pairs)
        found += self._mentor_problems(reader, pairs)
        return found

    def holds_title(self, reader: AggregateReader, branch_id: str, on: date) -> bool:
        """A red-flag title of either level held on `on`, from any year's nomination."""
        for year in range(self.policy.first_year, on.year + 1):
            nomination = reader.get(nomination_key(nomination_id_of(branch_id, year)))
            title = nomination.title if nomination is not None else None
            if title is not None and title.since <= on:
                return True
        return False

    def _pair_problems(self, pair: MentoringPair) -> list[str]:
        formed = self._moves[(MentoringPairFormed.__name__, pair.id, pair.pair_id)]
        ended = self._moves[(MentoringPairEnded.__name__, pair.id, pair.id)]
        found = []
        if formed != 1:
            found.append(f"mentoring.plan: {pair.pair_id} formed {formed} times")
        if ended > 1:
            found.append(f"mentoring.plan: {pair.pair_id} ended {ended} times")
        if pair.active != (ended == 0):
            found.append(f"mentoring.plan: {pair.pair_id}'s state differs from its events")
        if pair.ended is not None and pair.ended.on < pair.formed_on:
            found.append(
                f"mentoring.plan: {pair.pair_id} ended on {pair.ended.on}, before it was "
                f"formed on {pair.formed_on}"
            )
        return found

    def _twice(self, *kinds: type[AnyEvent]) -> list[str]:
        names = {k.__name__ for k in kinds}
        return [
            f"mentoring.plan: {kind} of {pair_id} on {stream} {n} times"
            for (kind, stream, pair_id), n in sorted(self._moves.items())
            if kind in names and n > 1
        ]

    def _mentee_problems(self, reader: AggregateReader, pairs: list[MentoringPair]) -> list[str]:
        found = []
        for mentee in sorted({p.mentee_branch_id for p in pairs}):
            active = [p.pair_id for p in pairs if p.active and p.mentee_branch_id == mentee]
            if len(active) > 1:
                found.append(
                    f"mentoring.ratio: branch {mentee!r} has {len(active)} active mentors "
                    f"({', '.join(active)})"
                )
            record = reader.get(mentee_key(mentee))
            held = record.pair_id if record is not None else None
            if not (held in active if active else held is None):
                found.append(
                    f"mentoring.ratio: branch {mentee!r}'s record names pair {held!r}, its "
                    f"active pairs are {active}"
                )
        return found + self._twice(MentorAssigned, MentorReleased)

    def _mentor_problems(self, reader: AggregateReader, pairs: list[MentoringPair]) -> list[str]:
        found = []
        for mentor in sorted({p.mentor_branch_id for p in pairs}):
            active = [p.pair_id for p in pairs if p.active and p.mentor_branch_id == mentor]
            if len(active) > self.policy.mentees_max:
                found.append(
                    f"mentoring.ratio: branch {mentor!r} mentors {len(active)} branches at "
                    f"once, more than the maximum of {self.policy.mentees_max}"
                )
            load = reader.get(mentor_key(mentor))
            counted = sorted(load.active) if load is not None else []
            if counted != sorted(active):
                found.append(
                    f"mentoring.ratio: branch {mentor!r}'s count holds {counted}, its active "
                    f"pairs are {sorted(active)}"
                )
        return found + self._twice(MenteeTaken, MenteeReleased)
