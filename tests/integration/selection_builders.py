"""Selection years built through the public API for the integration tests.

`county_through_its_list` takes one city-managed committee with one base committee through
its round and its own list (final, with the Annex 3 forms recorded), so that what is left is
the submission; the whole year of the unit-test tree is `tests.unit.selection_builders`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from attrs import evolve

from guoying import Guoying, Refused
from guoying.application import commands as cmd
from guoying.domain.nomination import nomination_id_of
from guoying.domain.policy import TAIAN_2017, Policy, PolicyBook
from guoying.domain.selection_year import YearSelection, selection_key
from guoying.domain.values import SelectionStep
from tests.integration.builders import (
    ORG_DEPT,
    add_base,
    add_branches,
    add_county,
    open_app,
    secretary,
)

YEAR = 2018
# Three agencies always consulted (policy is data): a round's consultation in a few commands.
FEW_AGENCIES = evolve(
    TAIAN_2017,
    version="few-agencies",
    agencies_always=("discipline inspection", "court", "public security"),
    agencies_for_enterprises=("tax",),
    agencies_for_non_public=("party-building body",),
)


def policies(**changes: Any) -> PolicyBook:
    return PolicyBook((evolve(FEW_AGENCIES, **changes),))


def command(kind: type[cmd.C], by: str, on: date, **fields: object) -> cmd.C:
    return kind(actor=secretary(by), reason=f"{kind.__name__} by {by}", effective_on=on, **fields)


def allot(committee_id: str, places: int, on: date = date(YEAR, 1, 10)) -> cmd.AllotPlaces:
    """The Organization Department allots places for the year of `on`."""
    return command(
        cmd.AllotPlaces, ORG_DEPT, on, year=on.year, committee_id=committee_id, places=places
    )


def _round(
    committee_id: str,
    candidates: Sequence[str],
    on: date,
    policy: Policy,
    *,
    passed: Sequence[str],
    titled: Sequence[str] = (),
    step: SelectionStep | None = None,
) -> list[cmd.Command]:
    """Steps, consultation, the list, its notice and (on the first day allowed) finalisation."""
    fields = {"committee_id": committee_id, "year": YEAR}
    commands: list[cmd.Command] = []
    steps = (
        [SelectionStep.SECRETARY_REPORT, SelectionStep.MEMBER_EVALUATION]
        if step is None
        else [step]
    )
    for nomination_id in candidates:
        commands += [
            command(cmd.RecordSelectionStep, committee_id, on, nomination_id=nomination_id, step=s)
            for s in steps
        ]
        commands += [
            command(
                cmd.AnswerConsultation,
                committee_id,
                on,
                nomination_id=nomination_id,
                agency=agency,
                **fields,
            )
            for agency in policy.agencies_always
        ]
    final = on + timedelta(days=policy.unit_notice_days + 1)
    return [
        *commands,
        command(
            cmd.DecideRoundList,
            committee_id,
            on,
            passed=tuple(passed),
            titled=tuple(titled),
            **fields,
        ),
        command(cmd.PublishNotice, committee_id, on, **fields),
        command(cmd.FinaliseList, committee_id, final, **fields),
    ]


def register_secretary(app: Guoying) -> None:
    """The branch secretary the Annex 3 forms name (`selection.form`)."""
    app.execute(
        cmd.RegisterPerson(
            actor=secretary(ORG_DEPT),
            reason="a branch secretary",
            effective_on=date(YEAR, 1, 2),
            person_id="p-secretary",
            name="赵敏",
            phone="0538-5620009",
        )
    )


def county_through_its_list(
    app: Guoying, county: str, *, allotment: int, policy: Policy = FEW_AGENCIES
) -> list[str]:
    """A county with one base committee of `2 x allotment + 2` branches, allotted
    `allotment` places: the base passes on `2 x allotment + 1`, the county titles and
    proposes `2 x allotment` (the most `selection.proposal_ratio` allows), its list is final
    and each proposal's form recorded. Returns the proposals, not yet submitted."""
    base = f"{county}-base"
    add_county(app, county)
    add_base(app, base, county)
    proposals = policy.candidates_per_place * allotment
    branches = add_branches(app, base, proposals + 2)
    nominations = [nomination_id_of(b, YEAR) for b in branches]
    applied = date(YEAR, 3, 1)
    commands: list[cmd.Command] = [
        allot(county, allotment),
        command(
            cmd.SetRoundPlaces, county, applied, committee_id=base, year=YEAR, places=proposals + 1
        ),
        *(command(cmd.ApplyForSelection, base, applied, branch_id=b, year=YEAR) for b in branches),
    ]
    at_base = nominations[: proposals + 1]
    commands += _round(base, nominations, date(YEAR, 3, 20), policy, passed=at_base)
    chosen = at_base[:proposals]
    commands += _round(
        county,
        at_base,
        date(YEAR, 5, 10),
        policy,
        passed=chosen,
        titled=chosen,
        step=SelectionStep.SITE_INSPECTION,
    )
    commands += [
        command(
            cmd.RecordDossier,
            county,
            date(YEAR, 5, 20),
            nomination_id=nomination_id,
            secretary_person_id="p-secretary",
            basic_facts=f"the facts of {nomination_id}",
            past_honours="none",
            main_deeds=f"the deeds of {nomination_id}",
        )
        for nomination_id in chosen
    ]
    app.execute_unit(commands)
    return chosen


def submission(county: str, on: date = date(YEAR, 5, 25)) -> cmd.SubmitProposals:
    return command(
        cmd.SubmitProposals,
        county,
        on,
        committee_id=county,
        year=YEAR,
        document_no=f"{county}-{YEAR}-7",
        process="recommended, inspected on site, decided at the committee",
        opinions_gathered="every agency answered",
    )


def year_counts(app: Guoying, year: int = YEAR) -> YearSelection:
    found = app.store.get(selection_key(year))
    assert found is not None
    return found


def race_allot_places(
    url: str, committee_id: str, places: int, annual_titles: int, barrier: Any, results: Any
) -> None:
    """A child process of the multi-process race: its own `Guoying`, released by a barrier.

    Puts (committee_id, outcome) on `results`: "ok", the rule id of a refusal, or the error.
    """
    try:
        with open_app(url, policies=policies(annual_titles=annual_titles)) as app:
            app.store.get(selection_key(YEAR))  # warm the connection pool before the start
            barrier.wait(60)
            try:
                app.execute(allot(committee_id, places))
            except Refused as refusal:
                outcome = refusal.rule_id
            else:
                outcome = "ok"
        results.put((committee_id, outcome))
    except Exception as error:  # noqa: BLE001 - reported to the parent process
        results.put((committee_id, f"error: {error!r}"))
