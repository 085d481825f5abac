"""The invariants of a selection year, read from the store's own events in store order.

`SelectionLog` reads the events a store committed since it last looked (a few at a time, so
a state machine can check after every step) and keeps what each check needs with the
position it was recorded at, so that "as known when it was named" means what it says. Its
checks are rules.md section 10:

- item 2 (`check_no_title_under_a_veto`): no branch is named red-flag (a Taishan Pioneer,
  or a city-managed committee's red-flag branch: `selection.veto` bars both) while a veto
  finding against it or one of its units, recorded before the naming, is in effect on the
  naming's date;
- item 4 (`check_annual_titles`): no more Taishan Pioneer titles named in a year than the
  `selection.annual_titles` of the policy each naming was decided under (from the store's
  policy book: its defaults and the versions published in it), and the year's
  counting aggregate (`selection:YEAR`) agrees with the titles conferred, holds its
  allotments within the year's number, its proposals within the ratio and its names within
  each allotment; a revocation never takes a name off the count;
- item 5 (`check_audited`): every event has an actor, a recorded time (never going back
  along the store's order) and a reason; tier changes, titles and vetoes also name their
  rules and policy version, and appear so in `Guoying.audit` (`check_audit_trail`, a full
  read of the trail, for every few steps);
- "no title without every round passed and every notice elapsed"
  (`check_title_paths`): every title conferred was preceded, for its nomination, by a
  recommendation and a final list naming it in the round of every committee from its base
  committee up to the conferring one (and, for a Taishan Pioneer, by its city-managed
  committee's submission), and each of those lists was made final on or after the day its
  notice allowed (`selection.public_notice`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime

from attrs import define, field, frozen

from guoying.adapters.chain import EVENT
from guoying.adapters.serialization import decode_event
from guoying.api import Guoying
from guoying.domain.branch import BranchRegistered, TierAdjusted
from guoying.domain.events import AnyEvent
from guoying.domain.nomination import (
    BranchApplied,
    BranchRecommended,
    NominationVetoed,
    TitleConferred,
    TitleDowngraded,
    TitleRevoked,
)
from guoying.domain.policy import Policy
from guoying.domain.selection_round import NoticePublished, ProposalsSubmitted, RoundListFinal
from guoying.domain.selection_year import YearSelection, selection_key
from guoying.domain.values import CommitteeLevel, TitleLevel
from guoying.domain.vetoes import VetoFindingRecorded
from guoying.projections.reading import recorded_time
from guoying.testing.city import CityLayout

__all__ = ["AUDITED", "SelectionLog"]

# The decisions rules.md 10 item 5 names: tier changes, titles and vetoes.
AUDITED = (
    BranchRegistered,
    TierAdjusted,
    TitleConferred,
    TitleRevoked,
    TitleDowngraded,
    NominationVetoed,
    VetoFindingRecorded,
)
BATCH = 500


@frozen
class Seen:
    """An event as the store committed it."""

    position: int
    recorded_at: datetime
    event: AnyEvent


@frozen
class KnownFinding:
    finding_id: str
    start: date
    end: date
    position: int


@define
class SelectionLog:
    """What a store's selection events say, read incrementally, and the checks on it."""

    city: CityLayout
    position: int = field(default=0, init=False)
    last_recorded: datetime | None = field(default=None, init=False)
    units: dict[str, tuple[str, ...]] = field(factory=dict, init=False)
    applied: dict[str, BranchApplied] = field(factory=dict, init=False)
    findings: dict[str, list[KnownFinding]] = field(factory=lambda: defaultdict(list), init=False)
    notices: dict[str, Seen] = field(factory=dict, init=False)
    finals: dict[str, Seen] = field(factory=dict, init=False)
    submitted: dict[str, Seen] = field(factory=dict, init=False)
    recommended: dict[str, list[Seen]] = field(factory=lambda: defaultdict(list), init=False)
    named: dict[int, int] = field(factory=lambda: defaultdict(int), init=False)
    # Waiting for their check.
    titles: list[Seen] = field(factory=list, init=False)
    to_veto_check: list[Seen] = field(factory=list, init=False)
    to_name: list[Seen] = field(factory=list, init=False)
    to_audit: list[Seen] = field(factory=list, init=False)
    audited: dict[str, Seen] = field(factory=dict, init=False)
    # The years whose counting aggregate (`selection:YEAR`) changed since the last check.
    recounted: set[int] = field(factory=set, init=False)

    # Reading

    def read(self, app: Guoying) -> int:
        """Read what the store committed since the last read; the number of events read."""
        count = 0
        for seen in self._new(app):
            count += 1
            self._take(seen)
        return count

    def _new(self, app: Guoying) -> Iterator[Seen]:
        while records := app.store.recorder.select_records(self.position, BATCH):
            for record in records:
                event = decode_event(
                    record.topic, record.state, record.originator_id, record.originator_version
                )
                yield Seen(record.position, recorded_time(record.recorded_at), event)
            self.position = records[-1].position

    def _take(self, seen: Seen) -> None:
        event = seen.event
        self.to_audit.append(seen)
        if event.originator_id.startswith("selection:"):
            self.recounted.add(int(event.originator_id.removeprefix("selection:")))
        if isinstance(event, BranchRegistered):
            self.units[event.branch_id] = event.unit_ids
        elif isinstance(event, BranchApplied):
            self.applied[event.nomination_id] = event
        elif isinstance(event, VetoFindingRecorded):
            known = KnownFinding(
                event.finding_id, event.effective_from, event.effective_to, seen.position
            )
            self.findings[event.originator_id].append(known)
        elif isinstance(event, NoticePublished):
            self.notices[event.originator_id] = seen
        elif isinstance(event, RoundListFinal):
            self._check_notice_elapsed(seen, event)
            self.finals[event.originator_id] = seen
        elif isinstance(event, ProposalsSubmitted):
            self.submitted[event.originator_id] = seen
        elif isinstance(event, BranchRecommended):
            self.recommended[event.originator_id].append(seen)
        elif isinstance(event, TitleConferred):
            self.titles.append(seen)
            self.to_veto_check.append(seen)
            if event.level is TitleLevel.CITY:
                self.to_name.append(seen)

    def _check_notice_elapsed(self, seen: Seen, event: RoundListFinal) -> None:
        """`selection.public_notice`: no list is final before its notice ends."""
        notice = self.notices.get(event.originator_id)
        assert notice is not None, f"{event.originator_id}: a list became final unnoticed"
        assert notice.position < seen.position, event.originator_id
        assert isinstance(notice.event, NoticePublished)
        assert event.effective_on >= notice.event.final_from, (
            f"{event.originator_id}: the list became final on {event.effective_on}, before its "
            f"notice of {notice.event.effective_on} allowed ({notice.event.final_from})"
        )

    # rules.md 10 item 2

    def check_no_title_under_a_veto(self) -> None:
        """No red-flag title is conferred while a finding against the branch or one of its
        units, recorded before the title, is in effect on the title's date."""
        while self.to_veto_check:
            seen = self.to_veto_check.pop(0)
            event = seen.event
            assert isinstance(event, TitleConferred)
            branch_id = self._applied(event).branch_id
            units = self.units[branch_id]
            records = [f"veto:branch:{branch_id}", *(f"veto:unit:{u}" for u in units)]
            on = event.effective_on
            for record in records:
                for finding in self.findings.get(record, []):
                    assert not (
                        finding.position < seen.position and finding.start <= on <= finding.end
                    ), (
                        f"rules.md 10 item 2 (selection.veto): {event.originator_id} was named "
                        f"{event.level.value} red-flag on {on} while finding "
                        f"{finding.finding_id!r} on {record} was in effect "
                        f"({finding.start} to {finding.end})"
                    )

    def _applied(self, event: AnyEvent) -> BranchApplied:
        nomination_id = event.originator_id.removeprefix("nomination:")
        applied = self.applied.get(nomination_id)
        assert applied is not None, f"{event.originator_id} has no application"
        return applied

    # "No title without every round passed and every notice elapsed"

    def check_title_paths(self) -> None:
        """Every title follows a final list naming it at every level up to its conferrer."""
        while self.titles:
            seen = self.titles.pop(0)
            event = seen.event
            assert isinstance(event, TitleConferred)
            self._check_title_path(seen, event)

    def _check_title_path(self, seen: Seen, event: TitleConferred) -> None:
        applied = self._applied(event)
        chain = self.city.lineage(applied.base_committee_id)
        by = event.conferred_by
        where = f"{event.originator_id} ({event.level.value} title by {by!r})"
        wanted = (
            CommitteeLevel.CITY if event.level is TitleLevel.CITY else CommitteeLevel.CITY_MANAGED
        )
        assert by in chain, f"{where}: conferred by a committee outside its line"
        assert self.city.committee(by).level is wanted, f"{where}: by the wrong level"
        recommended = {
            r.event.committee_id  # type: ignore[attr-defined]
            for r in self.recommended[event.originator_id]
            if r.position < seen.position
        }
        nomination_id = applied.nomination_id
        for committee_id in chain[: chain.index(by) + 1]:
            round_id = f"round:{committee_id}:{event.year}"
            final = self.finals.get(round_id)
            assert final is not None, f"{where}: no final list of {round_id}"
            assert final.position <= seen.position, f"{where}: {round_id} final after it"
            listed = final.event
            assert isinstance(listed, RoundListFinal)
            conferring_committee = committee_id == by and wanted is CommitteeLevel.CITY_MANAGED
            on_list = listed.titled if conferring_committee else listed.final
            assert nomination_id in on_list, f"{where}: not on the final list of {round_id}"
            assert committee_id in recommended, f"{where}: {committee_id!r} never recommended it"
            if committee_id == by:
                assert listed.effective_on == event.effective_on, (
                    f"{where}: conferred on {event.effective_on}, not on the day its list "
                    f"became final ({listed.effective_on})"
                )
            elif self.city.committee(committee_id).level is CommitteeLevel.CITY_MANAGED:
                submitted = self.submitted.get(round_id)
                assert submitted is not None, f"{where}: {committee_id!r} submitted nothing"
                assert submitted.position < seen.position, f"{where}: submitted after it"
                assert isinstance(submitted.event, ProposalsSubmitted)
                assert nomination_id in submitted.event.proposals, (
                    f"{where}: not among {committee_id!r}'s proposals"
                )

    # rules.md 10 item 4

    def check_annual_titles(self, app: Guoying) -> None:
        """The Taishan Pioneers named each year stay within the year's number, and the
        counting aggregate agrees with the titles conferred."""
        while self.to_name:
            seen = self.to_name.pop(0)
            event = seen.event
            assert isinstance(event, TitleConferred)
            self.named[event.year] += 1
            policy = app.policy_book().by_version(event.authority.policy_version)
            assert self.named[event.year] <= policy.annual_titles, (
                f"rules.md 10 item 4 (selection.annual_titles): {self.named[event.year]} "
                f"Taishan Pioneers named for {event.year}, more than {policy.annual_titles}"
            )
            self.recounted.add(event.year)
        for year in sorted(self.recounted):
            policy = app.policy_book().in_effect(date(year, 12, 31))
            self._check_counts(year, app.store.get(selection_key(year)), policy)
        self.recounted.clear()

    def _check_counts(self, year: int, counts: YearSelection | None, policy: Policy) -> None:
        named = self.named.get(year, 0)
        if counts is None:
            assert named == 0, f"{named} titles named for {year} and no count of them"
            return
        assert counts.named_count == named, (
            f"selection:{year} counts {counts.named_count} names, the store holds {named} "
            "Taishan Pioneer titles conferred (a revocation never frees a place)"
        )
        assert counts.named_count <= policy.annual_titles, "rules.md 10 item 4"
        assert counts.allotted <= policy.annual_titles, "selection.allotment"
        for committee_id, proposed in counts.proposals.items():
            limit = policy.candidates_per_place * counts.allotments.get(committee_id, 0)
            assert len(proposed) <= limit, f"selection.proposal_ratio: {committee_id}"
        for committee_id, names in counts.named.items():
            assert len(names) <= counts.allotments.get(committee_id, 0), (
                f"selection.allotment: {committee_id} named {len(names)}"
            )

    # rules.md 10 item 5

    def check_audited(self) -> None:
        """Every event has an actor, a recorded time and a reason (and names its rules)."""
        while self.to_audit:
            seen = self.to_audit.pop(0)
            event = seen.event
            what = f"{type(event).__name__} {event.originator_id}@{event.originator_version}"
            assert seen.recorded_at.tzinfo is not None, what
            assert self.last_recorded is None or self.last_recorded <= seen.recorded_at, (
                f"{what}: the recorded time went back"
            )
            self.last_recorded = seen.recorded_at
            assert event.actor.person_id.strip(), f"{what}: no actor"
            assert event.actor.committee_id.strip(), f"{what}: no actor's committee"
            assert event.reason.strip(), f"{what}: no reason"
            if not isinstance(event, AUDITED):
                continue
            assert event.authority.rule_ids, f"{what}: names no rule"
            assert event.authority.policy_version, f"{what}: names no policy version"
            self.audited[f"{event.originator_id}@{event.originator_version}"] = seen
            if isinstance(event, NominationVetoed):
                assert event.finding_id, what
                assert event.issuing_agency, what
                assert event.finding.strip(), what

    def check_audit_trail(self, app: Guoying) -> None:
        """rules.md 10 item 5 on `Guoying.audit`: every tier change, title and veto read so
        far is in the trail with its actor, recorded time, reason and effective date."""
        self.check_audited()
        trail = {e.subject: e for e in app.audit() if e.kind == EVENT}
        for subject, seen in self.audited.items():
            entry = trail.get(subject)
            assert entry is not None, f"rules.md 10 item 5: {subject} is not in the audit trail"
            event = seen.event
            assert entry.what == type(event).__name__, subject
            assert (entry.actor_person_id, entry.actor_committee_id) == (
                event.actor.person_id,
                event.actor.committee_id,
            ), subject
            assert entry.reason == event.reason, subject
            assert entry.recorded_at == seen.recorded_at, subject
            assert entry.effective_on == event.effective_on, subject
            assert entry.rule_ids == event.authority.rule_ids, subject
