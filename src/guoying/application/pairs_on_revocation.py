"""A revoked title ends its pairs (`mentoring.eligibility`): the process that carries it out.

When a branch's red-flag title is revoked and it holds no other, each pair it mentors ends,
on the revocation's date (or the pair's first day, for a pair formed after the date a
revocation was backdated to), with a reason that names the revocation. The process acts as
a named system actor on behalf of the body that revoked the title. A downgrade keeps the
pairs: a downgraded Taishan Pioneer still holds the committee-level title, and a
downgraded committee-level title is recorded as revoked.
"""

from __future__ import annotations

from collections.abc import Sequence

from guoying.application.commands import Command, EndMentoringPair
from guoying.application.ports import AggregateReader
from guoying.application.titles_held import holds_title
from guoying.domain.events import AnyEvent, Key
from guoying.domain.mentoring import mentor_key, pair_key
from guoying.domain.nomination import Nomination, TitleRevoked
from guoying.domain.policy import PolicyBook
from guoying.domain.policy_registry import REGISTRY_KEY
from guoying.domain.values import Actor

PROCESS_ACTOR = "system:mentoring"


class PairsEndedOnRevocation:
    name = "mentoring.pairs-ended-on-revocation"
    reacts_to: tuple[type[AnyEvent], ...] = (TitleRevoked,)

    def __init__(self, policies: PolicyBook) -> None:
        self.policies = policies

    def commands(self, reader: AggregateReader, event: AnyEvent) -> Sequence[Command]:
        assert isinstance(event, TitleRevoked)
        nomination = reader.get(Key(event.originator_id, Nomination))
        load = reader.get(mentor_key(nomination.branch_id)) if nomination else None
        if nomination is None or load is None or not load.active:
            return []
        on = event.effective_on
        registry = reader.get(REGISTRY_KEY)
        book = registry.book(self.policies) if registry is not None else self.policies
        if holds_title(reader, nomination.branch_id, on, book.in_effect(on).first_year):
            return []
        actor = Actor(PROCESS_ACTOR, event.actor.committee_id, "process")
        reason = (
            f"the mentor's {event.level.value} red-flag title was revoked by "
            f"{event.actor.committee_id} on {on} ({event.originator_id}, version "
            f"{event.originator_version}): {event.reason}"
        )
        ending = []
        for pair_id in load.active:
            pair = reader.get(pair_key(pair_id))
            starts = max(on, pair.formed_on) if pair is not None else on
            ending.append(
                EndMentoringPair(actor=actor, reason=reason, effective_on=starts, pair_id=pair_id)
            )
        return ending
