"""A revoked title ends its pairs (`mentoring.eligibility`): the process that carries it out.

When a branch's red-flag title is revoked, each pair it mentors ends on the first day from
the pair's forming on which the branch holds no title at all, judged from every title it
held, so a second title keeps the pairs for as long as it lasts, and a revocation backdated
or recorded out of order ends them on the right day. The reason names the revocation that
left the branch untitled. The process acts as a named system actor on behalf of the body
that revoked the title, or, where that body has no jurisdiction over the mentor by then
(the branch moved), of the mentor's city-managed committee. A downgrade keeps the pairs: a
downgraded Taishan Pioneer still holds the committee-level title, and a downgraded
committee-level title is recorded as revoked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from guoying.application.commands import Command, EndMentoringPair
from guoying.application.ports import AggregateReader, EventStore
from guoying.application.titles_held import HeldSpan, first_day_untitled, title_spans
from guoying.domain.branch import branch_key
from guoying.domain.events import AnyEvent, Key
from guoying.domain.mentoring import MentoringPairFormed, mentor_key, pair_key
from guoying.domain.nomination import Nomination, TitleRevoked, nomination_key
from guoying.domain.organization import TREE_KEY
from guoying.domain.policy import PolicyBook
from guoying.domain.policy_registry import REGISTRY_KEY
from guoying.domain.values import Actor, CommitteeLevel

PROCESS_ACTOR = "system:mentoring"


class PairsEndedOnRevocation:
    """Reacts to each revocation, and to each pair formed (a pair may be recorded after the
    revocation that ends it, for a date its mentor still held the title)."""

    name = "mentoring.pairs-ended-on-revocation"
    reacts_to: tuple[type[AnyEvent], ...] = (TitleRevoked, MentoringPairFormed)

    def __init__(self, policies: PolicyBook) -> None:
        self.policies = policies

    def commands(self, reader: EventStore, event: AnyEvent) -> Sequence[Command]:
        pair_ids: tuple[str, ...]
        if isinstance(event, MentoringPairFormed):
            mentor, pair_ids = event.mentor_branch_id, (event.pair_id,)
        else:
            assert isinstance(event, TitleRevoked)
            nomination = reader.get(Key(event.originator_id, Nomination))
            load = reader.get(mentor_key(nomination.branch_id)) if nomination else None
            if nomination is None or load is None:
                return []
            mentor, pair_ids = nomination.branch_id, load.active
        registry = reader.get(REGISTRY_KEY)
        book = registry.book(self.policies) if registry is not None else self.policies
        years = range(
            min(p.first_year for p in book.versions), max(p.last_year for p in book.versions) + 1
        )
        spans = title_spans(reader, mentor, years)
        ending = []
        for pair_id in pair_ids:
            pair = reader.get(pair_key(pair_id))
            day = first_day_untitled(spans, pair.formed_on) if pair and pair.active else None
            if day is None:
                continue
            revoked = _revocation(reader, spans, day)
            deciding = revoked.actor.committee_id if revoked else event.actor.committee_id
            ending.append(
                EndMentoringPair(
                    actor=Actor(
                        PROCESS_ACTOR, self._acting(reader, deciding, mentor, day), "process"
                    ),
                    reason=_reason(revoked, day),
                    effective_on=day,
                    pair_id=pair_id,
                )
            )
        return ending

    @staticmethod
    def _acting(reader: AggregateReader, deciding: str, branch_id: str, on: date) -> str:
        """The body whose decision is carried out (the one that revoked the title, or that
        formed the pair) if it may act on the mentor on `on`; else the mentor's
        city-managed committee then."""
        tree, branch = reader.get(TREE_KEY), reader.get(branch_key(branch_id))
        if tree is None or branch is None:
            return deciding
        view = tree.at(on)
        base = branch.base_on(on)
        if view.may_act_on(deciding, base):
            return deciding
        managed = [c for c in view.lineage(base) if c.level is CommitteeLevel.CITY_MANAGED]
        return managed[0].committee_id if managed else deciding


def _revocation(store: EventStore, spans: list[HeldSpan], day: date) -> TitleRevoked | None:
    """The revocation that left the mentor untitled on `day`, whichever event the process
    reacts to: the same pair ends with the same actor and reason either way."""
    for span in spans:
        if span.until == day:
            for event in reversed(store.events(nomination_key(span.nomination_id).id)):
                if isinstance(event, TitleRevoked) and event.effective_on == day:
                    return event
    return None


def _reason(revoked: TitleRevoked | None, day: date) -> str:
    if revoked is None:
        return f"the mentor held no red-flag title on {day}, the day the pair was formed"
    return (
        f"the mentor's {revoked.level.value} red-flag title was revoked by "
        f"{revoked.actor.committee_id} on {revoked.effective_on} ({revoked.originator_id}, "
        f"version {revoked.originator_version}): {revoked.reason}"
    )
