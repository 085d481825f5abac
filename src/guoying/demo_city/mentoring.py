"""The demo city's mentoring (§6, Annex 4): after the 2018 naming, each city-managed
committee pairs its red-flag branches with weaker ones of its own, and files the year's
schedule of its Taishan Pioneers' pairs with the Organization Department (one committee
late). The pairs of the 2017 Taishan Pioneer revoked in October end by themselves (the
library's process does it); the downgraded 2018 one keeps its pairs; one pair ends in
December with its goal reached.
"""

from __future__ import annotations

from datetime import date

from guoying.api import Guoying
from guoying.application import commands as c
from guoying.application.pairs_on_revocation import PROCESS_ACTOR
from guoying.demo_city.layout import CITY_MANAGED, on
from guoying.demo_city.selection import PARENTS, Season, Step
from guoying.domain.mentoring import (
    MentoringPairEnded,
    MentoringPairFormed,
    MentoringScheduleFiled,
    pair_streams,
)
from guoying.domain.values import Tier

PAIRED_ON = on(2018, 7, 16)
SCHEDULE_ON = on(2018, 7, 27)
# The committee whose schedule comes in after 31 July: recorded as late, never refused.
LATE_SCHEDULE = "szjg"
LATE_SCHEDULE_ON = on(2018, 8, 6)
GOAL_REACHED_ON = on(2018, 12, 20)
# How many branches each mentor takes on, in turn: the target (5) and fewer, which the
# mentoring view reports.
LOADS = (5, 3, 5, 2, 4)
WEAKEST_FIRST = {Tier.WEAK: 0, Tier.LAGGING: 1, Tier.MIDDLE: 2, Tier.ADVANCED: 3}

GOAL = "帮助结对支部查找问题、补齐短板，2019年底前晋位升级"
MEASURES = (
    "1.结对共建，每月联合开展主题党日；2.选派骨干党员帮带支部书记抓班子带队伍；"
    "3.共享活动阵地，帮助建立健全“三会一课”等制度"
)


def city_managed_of(committee_id: str) -> str:
    managed = {cid for cid, _, _ in CITY_MANAGED}
    while committee_id not in managed:
        committee_id = PARENTS[committee_id]
    return committee_id


def _branch(nomination_id: str) -> str:
    return nomination_id.rsplit("-", 1)[0]


def mentoring(
    first: Season, second: Season, leave: frozenset[str]
) -> tuple[list[Step], list[Step]]:
    """The pairs formed after the 2018 naming and each committee's schedule, which come
    before the revocation and the downgrade; and one pair that ends, after them, with its
    goal reached."""
    steps: list[Step] = []
    schedule_pairs: dict[str, list[str]] = {cid: [] for cid, _, _ in CITY_MANAGED}
    ending: str | None = None
    for committee_id, _, _ in CITY_MANAGED:
        pioneers = [_branch(n) for n in (*first.named[committee_id], *second.named[committee_id])]
        titled = {_branch(n) for n in (*first.listed[committee_id], *second.listed[committee_id])}
        red_flag = sorted(titled - set(pioneers))[:1]
        mentors = [*pioneers, *red_flag]
        pool = sorted(
            (
                b
                for b in second.branches.values()
                if city_managed_of(b.base.committee_id) == committee_id
                and b.branch_id not in leave
                and b.branch_id not in titled
                and b.branch_id not in pioneers
                # A red-flag branch helps a weaker one, never an advanced one.
                and second.standing[b.branch_id] is not Tier.ADVANCED
            ),
            key=lambda b: (WEAKEST_FIRST[second.standing[b.branch_id]], b.branch_id),
        )
        commands: list[c.Command] = []
        for number, mentor in enumerate(mentors):
            taken, pool = pool[: LOADS[number % len(LOADS)]], pool[LOADS[number % len(LOADS)] :]
            for count, mentee in enumerate(taken, start=1):
                pair_id = f"{mentor}-bd{count}"
                commands.append(
                    second.command(
                        c.FormMentoringPair,
                        committee_id,
                        PAIRED_ON,
                        "红旗党支部“1带5”结对帮带，帮助后进支部晋位升级",
                        pair_id=pair_id,
                        mentor_branch_id=mentor,
                        mentee_branch_id=mentee.branch_id,
                        goal=GOAL,
                        measures=MEASURES,
                        deadline=date(2019, 6, 30),
                        remarks="",
                    )
                )
                if mentor in pioneers:
                    schedule_pairs[committee_id].append(pair_id)
                elif ending is None:
                    ending = pair_id
        steps.append(Step(2018, tuple(commands)))
    for committee_id, pair_ids in schedule_pairs.items():
        late = committee_id == LATE_SCHEDULE
        steps.append(
            Step(
                2018,
                (
                    second.command(
                        c.FileMentoringSchedule,
                        committee_id,
                        LATE_SCHEDULE_ON if late else SCHEDULE_ON,
                        "报送“泰山先锋”红旗党支部结对帮带计划表（附件4）",
                        committee_id=committee_id,
                        year=2018,
                        pair_ids=tuple(pair_ids),
                    ),
                ),
            )
        )
    later: list[Step] = []
    if ending is not None:
        ended_by = second.branches[ending.rsplit("-", 1)[0]]
        later.append(
            Step(
                2018,
                (
                    second.command(
                        c.EndMentoringPair,
                        city_managed_of(ended_by.base.committee_id),
                        GOAL_REACHED_ON,
                        "帮带目标已完成：结对支部已晋位升级，经验收结束帮带",
                        pair_id=ending,
                    ),
                ),
            )
        )
    return steps, later


def mentoring_line(guoying: Guoying) -> str:
    """What the demo's mentoring came to, read back from the stored pairs and schedules."""
    store = guoying.store
    pairs = [store.events(stream) for stream in store.stream_ids(pair_streams.id(""))]
    ended = [events[-1] for events in pairs if isinstance(events[-1], MentoringPairEnded)]
    by_process = sum(1 for e in ended if e.actor.person_id == PROCESS_ACTOR)
    filed = [
        event
        for stream in store.stream_ids("schedule:")
        for event in store.events(stream)
        if isinstance(event, MentoringScheduleFiled)
    ]
    mentors = {
        e.mentor_branch_id for events in pairs if isinstance(e := events[0], MentoringPairFormed)
    }
    return (
        f"Mentoring 2018: {len(pairs)} pairs formed by {len(mentors)} red-flag branches; "
        f"{by_process} ended when their mentor's title was revoked, {len(ended) - by_process} "
        f"with the goal reached; {len(filed)} schedules filed "
        f"({sum(1 for e in filed if e.late)} late)."
    )
