"""A whole selection year on the builders' tree, phase by phase, for the selection tests.

Four branches under each base committee apply in the first quarter of 2018; base-a1 and
base-a2 may pass two on, base-b1 three; int-a one; cm-a and cm-b are allotted one place each
(so propose at most two); the city names two Taishan Pioneers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from guoying.application import commands as cmd
from guoying.application.service import Handler
from guoying.domain.nomination import nomination_id_of
from guoying.domain.policy import TAIAN_2017
from guoying.domain.values import SelectionStep
from tests.unit.builders import (
    BASE_A1,
    BASE_A2,
    BASE_B1,
    CITY,
    CM_A,
    CM_B,
    INT_A,
    OD,
    actor,
    register_branch,
)

YEAR = 2018
APPLIED_ON = date(YEAR, 3, 1)
PER_BASE = 4
SECRETARY = "person-owner"


def branches(base: str) -> list[str]:
    return [f"{base}-b{index}" for index in range(PER_BASE)]


def nominations(base: str) -> list[str]:
    return [nomination_id_of(b, YEAR) for b in branches(base)]


def command(kind: type[cmd.C], by: str, on: date, **fields: object) -> cmd.C:
    return kind(actor=actor(by), reason=f"{kind.__name__} by {by}", effective_on=on, **fields)


def register_all() -> list[cmd.Command]:
    return [
        register_branch(b, base) for base in (BASE_A1, BASE_A2, BASE_B1) for b in branches(base)
    ]


def places(on: date = date(YEAR, 1, 10)) -> list[cmd.Command]:
    return [
        command(cmd.AllotPlaces, OD, on, year=YEAR, committee_id=CM_A, places=1),
        command(cmd.AllotPlaces, OD, on, year=YEAR, committee_id=CM_B, places=1),
        command(cmd.SetRoundPlaces, CM_A, on, committee_id=BASE_A1, year=YEAR, places=2),
        command(cmd.SetRoundPlaces, INT_A, on, committee_id=BASE_A2, year=YEAR, places=2),
        command(cmd.SetRoundPlaces, CM_A, on, committee_id=INT_A, year=YEAR, places=1),
        command(cmd.SetRoundPlaces, CM_B, on, committee_id=BASE_B1, year=YEAR, places=3),
    ]


def applications(base: str, on: date = APPLIED_ON) -> list[cmd.Command]:
    return [
        command(cmd.ApplyForSelection, base, on, branch_id=b, year=YEAR) for b in branches(base)
    ]


def steps(
    committee_id: str, ids: Iterable[str], on: date, *kinds: SelectionStep
) -> list[cmd.Command]:
    return [
        command(cmd.RecordSelectionStep, committee_id, on, nomination_id=i, step=kind)
        for i in ids
        for kind in kinds
    ]


def base_steps(base: str, on: date = date(YEAR, 3, 10)) -> list[cmd.Command]:
    return steps(
        base,
        nominations(base),
        on,
        SelectionStep.SECRETARY_REPORT,
        SelectionStep.MEMBER_EVALUATION,
    )


def consult(
    committee_id: str, ids: Iterable[str], on: date, *, by: str | None = None
) -> list[cmd.Command]:
    """Every agency always consulted answers about every candidate, none adversely."""
    return [
        command(
            cmd.AnswerConsultation,
            by or committee_id,
            on,
            committee_id=committee_id,
            year=YEAR,
            nomination_id=i,
            agency=agency,
        )
        for i in ids
        for agency in TAIAN_2017.agencies_always
    ]


def decide(
    committee_id: str,
    passed: Iterable[str],
    on: date,
    *,
    titled: Iterable[str] = (),
    by: str | None = None,
) -> cmd.DecideRoundList:
    return command(
        cmd.DecideRoundList,
        by or committee_id,
        on,
        committee_id=committee_id,
        year=YEAR,
        passed=tuple(passed),
        titled=tuple(titled),
    )


def notice_and_final(
    committee_id: str,
    published: date,
    *,
    days: int = 3,
    by: str | None = None,
    namer: str | None = None,
) -> list[cmd.Command]:
    """Notice on `published`, final on the first day allowed (D + days + 1)."""
    return [
        command(
            cmd.PublishNotice, by or committee_id, published, committee_id=committee_id, year=YEAR
        ),
        command(
            cmd.FinaliseList,
            namer or by or committee_id,
            published + timedelta(days=days + 1),
            committee_id=committee_id,
            year=YEAR,
        ),
    ]


def base_round(base: str, passed: list[str], on: date = date(YEAR, 3, 20)) -> list[cmd.Command]:
    return [
        *consult(base, nominations(base), on),
        decide(base, passed, on),
        *notice_and_final(base, on),
    ]


def dossiers(ids: Iterable[str], by: str, on: date) -> list[cmd.Command]:
    return [
        command(
            cmd.RecordDossier,
            by,
            on,
            nomination_id=i,
            secretary_person_id=SECRETARY,
            basic_facts=f"facts of {i}",
            past_honours="none",
            main_deeds=f"deeds of {i}",
        )
        for i in ids
    ]


A1, A2, B1 = nominations(BASE_A1), nominations(BASE_A2), nominations(BASE_B1)
CM_A_CANDIDATES = [A1[0], A1[1], A2[0]]
CM_B_CANDIDATES = [B1[0], B1[1], B1[2]]
PROPOSALS = [A1[0], A1[1], B1[0], B1[1]]
NAMED = [A1[0], B1[0]]


def through_bases() -> list[cmd.Command]:
    return [
        *register_all(),
        *places(),
        *(c for base in (BASE_A1, BASE_A2, BASE_B1) for c in applications(base)),
        *(c for base in (BASE_A1, BASE_A2, BASE_B1) for c in base_steps(base)),
        *base_round(BASE_A1, A1[:2]),
        *base_round(BASE_A2, A2[:2]),
        *base_round(BASE_B1, B1[:3]),
    ]


def through_intermediate() -> list[cmd.Command]:
    on = date(YEAR, 4, 1)
    return [
        *through_bases(),
        *consult(INT_A, A2[:2], on),
        decide(INT_A, A2[:1], on),
        *notice_and_final(INT_A, on),
    ]


def city_managed_round(
    committee_id: str, candidates: list[str], titled: list[str], passed: list[str]
) -> list[cmd.Command]:
    on = date(YEAR, 5, 10)
    return [
        *steps(committee_id, candidates, on, SelectionStep.SITE_INSPECTION),
        *consult(committee_id, candidates, on),
        decide(committee_id, passed, date(YEAR, 5, 20), titled=titled),
        *notice_and_final(committee_id, date(YEAR, 5, 20)),
    ]


def through_city_managed() -> list[cmd.Command]:
    submitted = date(YEAR, 5, 30)
    return [
        *through_intermediate(),
        *city_managed_round(CM_A, CM_A_CANDIDATES, CM_A_CANDIDATES[:2], PROPOSALS[:2]),
        *city_managed_round(CM_B, CM_B_CANDIDATES, CM_B_CANDIDATES[:2], PROPOSALS[2:]),
        *dossiers(PROPOSALS[:2], CM_A, submitted),
        *dossiers(PROPOSALS[2:], CM_B, submitted),
        *(
            command(
                cmd.SubmitProposals,
                committee_id,
                submitted,
                committee_id=committee_id,
                year=YEAR,
                document_no=f"{committee_id}-2018-7",
                process="recommended, inspected, decided at the committee meeting",
                opinions_gathered="every agency answered; no objection",
            )
            for committee_id in (CM_A, CM_B)
        ),
    ]


CITY_LISTED_ON = date(YEAR, 6, 10)


def through_city_list() -> list[cmd.Command]:
    return [
        *through_city_managed(),
        *consult(CITY, PROPOSALS, CITY_LISTED_ON, by=OD),
        decide(CITY, NAMED, CITY_LISTED_ON, by=OD),
        command(cmd.PublishNotice, OD, CITY_LISTED_ON, committee_id=CITY, year=YEAR),
    ]


NAMED_ON = CITY_LISTED_ON + timedelta(days=TAIAN_2017.city_notice_days + 1)


def naming(on: date = NAMED_ON, by: str = CITY) -> cmd.FinaliseList:
    return command(cmd.FinaliseList, by, on, committee_id=CITY, year=YEAR)


def whole_year() -> list[cmd.Command]:
    return [*through_city_list(), naming()]


def run(handler: Handler, commands: Iterable[cmd.Command]) -> None:
    for each in commands:
        handler.execute(each)
