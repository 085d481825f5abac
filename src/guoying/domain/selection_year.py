"""The counts of one selection year, decided on one aggregate (`selection:YEAR`).

It owns the city's places allotted to each city-managed committee (`selection.allotment`),
each committee's proposals (`selection.proposal_ratio`) and the Taishan Pioneer titles named
(`selection.annual_titles`). Every decision that changes one of them is saved with it in the
same atomic write and judged on the unit's end state, so racing writers conflict on its
version and never both pass. A revocation is not recorded here: it never frees a place.
"""

from __future__ import annotations

from attrs import define, field, frozen

from guoying.domain.events import DomainEvent, Key, continued, next_version, stamp
from guoying.domain.exceptions import RuleViolation
from guoying.domain.policy import Policy
from guoying.domain.values import Decision


@define
class YearSelection:
    id: str
    version: int
    year: int
    allotments: dict[str, int] = field(factory=dict)
    proposals: dict[str, tuple[str, ...]] = field(factory=dict)
    named: dict[str, tuple[str, ...]] = field(factory=dict)

    @property
    def named_count(self) -> int:
        return sum(len(n) for n in self.named.values())

    @property
    def allotted(self) -> int:
        return sum(self.allotments.values())

    # The seam for counts (guoying.domain.counts.CountOwner): the rules hold on every end
    # state, so nothing needs remembering from before the unit.

    def start_unit(self) -> None:
        return None

    def judge(self, policy: Policy) -> None:
        # The titles named first: a policy version that lowered the year's number after the
        # allotments were made is broken by the naming, whatever the allotments say.
        if self.named_count > policy.annual_titles:
            raise RuleViolation(
                "selection.annual_titles",
                f"{self.named_count} Taishan Pioneer titles would be named for {self.year}, more "
                f"than the {policy.annual_titles} of the year",
                {"year": self.year, "named": self.named_count, "limit": policy.annual_titles},
            )
        if self.allotted > policy.annual_titles:
            raise RuleViolation(
                "selection.allotment",
                f"the places allotted for {self.year} would sum to {self.allotted}, more than "
                f"the {policy.annual_titles} titles of the year",
                {"year": self.year, "allotted": self.allotted, "limit": policy.annual_titles},
            )
        for committee_id, proposed in sorted(self.proposals.items()):
            limit = policy.candidates_per_place * self.allotments.get(committee_id, 0)
            if len(proposed) > limit:
                raise RuleViolation(
                    "selection.proposal_ratio",
                    f"{committee_id!r} would propose {len(proposed)} candidates for {self.year}, "
                    f"more than {policy.candidates_per_place} per place of its allotment "
                    f"({self.allotments.get(committee_id, 0)})",
                    {"committee_id": committee_id, "proposals": len(proposed), "limit": limit},
                )
        for committee_id, named in sorted(self.named.items()):
            allotment = self.allotments.get(committee_id, 0)
            if len(named) > allotment:
                raise RuleViolation(
                    "selection.allotment",
                    f"the city would name {len(named)} of {committee_id!r}'s proposals for "
                    f"{self.year}, more than its allotment of {allotment}",
                    {"committee_id": committee_id, "named": len(named), "allotment": allotment},
                )


def selection_key(year: int) -> Key[YearSelection]:
    return Key(f"selection:{year}", YearSelection)


def _year(aggregate: YearSelection | None, event: DomainEvent[YearSelection]) -> YearSelection:
    year = int(event.originator_id.removeprefix("selection:"))
    return continued(aggregate, event, YearSelection, year=year)


@frozen(kw_only=True)
class PlacesAllotted(DomainEvent[YearSelection]):
    """The city's places for the year allotted to one city-managed committee."""

    committee_id: str
    places: int

    def mutate(self, aggregate: YearSelection | None) -> YearSelection:
        found = _year(aggregate, self)
        found.allotments = {**found.allotments, self.committee_id: self.places}
        return found


@frozen(kw_only=True)
class ProposalsCounted(DomainEvent[YearSelection]):
    committee_id: str
    nomination_ids: tuple[str, ...]

    def mutate(self, aggregate: YearSelection | None) -> YearSelection:
        found = _year(aggregate, self)
        found.proposals = {**found.proposals, self.committee_id: self.nomination_ids}
        return found


@frozen(kw_only=True)
class TitlesCounted(DomainEvent[YearSelection]):
    """Taishan Pioneer titles named from one committee's proposals."""

    committee_id: str
    nomination_ids: tuple[str, ...]

    def mutate(self, aggregate: YearSelection | None) -> YearSelection:
        found = _year(aggregate, self)
        earlier = found.named.get(self.committee_id, ())
        found.named = {**found.named, self.committee_id: (*earlier, *self.nomination_ids)}
        return found


def allot(
    found: YearSelection | None, decision: Decision, *, year: int, committee_id: str, places: int
) -> PlacesAllotted:
    if places < 0:
        raise RuleViolation("selection.allotment", f"an allotment is never negative ({places})")
    if found is not None and found.proposals.get(committee_id):
        raise RuleViolation(
            "selection.allotment",
            f"places are allotted before proposals are made; {committee_id!r} has proposed",
            {"committee_id": committee_id},
        )
    return PlacesAllotted(
        **stamp(decision, selection_key(year).id, next_version(found)),
        committee_id=committee_id,
        places=places,
    )


def count_proposals(
    found: YearSelection | None,
    decision: Decision,
    *,
    year: int,
    committee_id: str,
    nomination_ids: tuple[str, ...],
) -> ProposalsCounted:
    return ProposalsCounted(
        **stamp(decision, selection_key(year).id, next_version(found)),
        committee_id=committee_id,
        nomination_ids=nomination_ids,
    )


def count_titles(
    found: YearSelection | None,
    decision: Decision,
    *,
    year: int,
    committee_id: str,
    nomination_ids: tuple[str, ...],
) -> TitlesCounted:
    return TitlesCounted(
        **stamp(decision, selection_key(year).id, next_version(found)),
        committee_id=committee_id,
        nomination_ids=nomination_ids,
    )
