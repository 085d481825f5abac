"""A branch's record of awards (曾受表彰情况), read for priority recommendation
(`selection.priority`) and for the past honours of the Annex 3 form (`selection.form`)."""

from __future__ import annotations

from attrs import define, field, frozen

from guoying.domain.events import DomainEvent, Streams, continued, next_version, stamp
from guoying.domain.exceptions import RuleViolation
from guoying.domain.policy import Policy
from guoying.domain.values import AwardLevel, Decision


@frozen
class Award:
    award_id: str
    name: str
    level: AwardLevel
    year: int
    awarded_by: str


@define
class Honours:
    id: str
    version: int
    branch_id: str
    awards: dict[str, Award] = field(factory=dict)

    def priority_awards(self, year: int, policy: Policy) -> tuple[str, ...]:
        """The awards at provincial level or higher in the policy's window of recent years
        before `year` that mark the branch for priority recommendation."""
        window = range(year - policy.priority_window_years, year)
        return tuple(
            a.award_id
            for a in sorted(self.awards.values(), key=lambda a: (a.year, a.award_id))
            if a.level.rank >= AwardLevel.PROVINCIAL.rank and a.year in window
        )


honours_key = Streams("honours", Honours).key


@frozen(kw_only=True)
class AwardRecorded(DomainEvent[Honours]):
    branch_id: str
    award_id: str
    name: str
    level: AwardLevel
    year: int
    awarded_by: str

    def mutate(self, aggregate: Honours | None) -> Honours:
        honours = continued(aggregate, self, Honours, branch_id=self.branch_id)
        honours.awards = {
            **honours.awards,
            self.award_id: Award(self.award_id, self.name, self.level, self.year, self.awarded_by),
        }
        return honours


def record_award(
    honours: Honours | None,
    decision: Decision,
    *,
    branch_id: str,
    award_id: str,
    name: str,
    level: AwardLevel,
    year: int,
    awarded_by: str,
) -> AwardRecorded:
    if honours is not None and award_id in honours.awards:
        raise RuleViolation(
            "selection.priority",
            f"award {award_id!r} is already on branch {branch_id!r}'s record",
            {"award_id": award_id},
        )
    if year > decision.effective_on.year:
        raise RuleViolation(
            "selection.priority",
            f"an award of {year} cannot be recorded on {decision.effective_on}",
            {"year": year},
        )
    return AwardRecorded(
        **stamp(decision, honours_key(branch_id).id, next_version(honours)),
        branch_id=branch_id,
        award_id=award_id,
        name=name,
        level=level,
        year=year,
        awarded_by=awarded_by,
    )
