"""docs/commands.md stays true: its examples run as shown, and it documents every field.

Each ```jsonl block of the page is a file; the ```console block after it shows the
`guoying apply` line that applies it, the output (lines starting with `error:` are standard
error) and, after `$ echo $?`, the exit code. The examples run in the page's order on one
fresh store, through the installed `guoying` entry point, and must print exactly that.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import attrs
import pytest

from guoying.application.catalogue import COMMAND_TYPES
from guoying.application.commands import Command, CultivationRow, NewBranch
from guoying.application.commands import mentoring as mentoring_commands
from guoying.application.commands import oversight as oversight_commands
from guoying.application.commands import plans as plan_commands
from guoying.application.commands import selection as selection_commands
from guoying.domain.accountability import FindingKind, FundingKind, LinkageKind
from guoying.domain.cultivation import Batch
from guoying.domain.policy import Policy
from guoying.domain.supervision import SupervisionMethod
from guoying.domain.values import (
    Actor,
    AwardLevel,
    CommitteeLevel,
    Sector,
    SelectionStep,
    Tier,
    UnitKind,
    VetoPeriod,
)
from guoying.domain.vetoes import VetoSubject
from tests.e2e.runner import Run, guoying

DOC = Path(__file__).resolve().parents[2] / "docs" / "commands.md"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```$", re.MULTILINE | re.DOTALL)
EXIT = "$ echo $?"


@dataclass(frozen=True)
class Example:
    """One file of the page, the command shown for it, and what the page says it prints."""

    file: str
    text: str
    argv: tuple[str, ...]
    stdout: tuple[dict[str, Any], ...]
    stderr: tuple[str, ...]
    code: int


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def parse_examples(doc: str) -> list[Example]:
    blocks = [(m.group(1), m.group(2)) for m in FENCE.finditer(doc)]
    examples = []
    for index, (kind, body) in enumerate(blocks):
        if kind != "jsonl":
            continue
        follower = blocks[index + 1] if index + 1 < len(blocks) else ("", "")
        assert follower[0] == "console", "a ```jsonl block is followed by its ```console block"
        command, *shown = follower[1].splitlines()
        argv = shlex.split(command.removeprefix("$ "))
        assert argv[:2] == ["guoying", "apply"], command
        assert shown[-2] == EXIT, "the console block ends with `$ echo $?` and the code"
        output = shown[:-2]
        examples.append(
            Example(
                file=argv[2],
                text=body,
                argv=tuple(argv[1:]),
                stdout=tuple(json.loads(line) for line in output if not line.startswith("error:")),
                stderr=tuple(line for line in output if line.startswith("error:")),
                code=int(shown[-1]),
            )
        )
    return examples


EXAMPLES = parse_examples(doc_text())
WORKED = EXAMPLES[0]
SELECTION = next(e for e in EXAMPLES if e.file == "selection-2019.jsonl")
PLANS = next(e for e in EXAMPLES if e.file == "plans-2017.jsonl")
SELECTION_COMMANDS = set(selection_commands.__all__)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every example applied in the page's order, in one folder, on one fresh store."""
    folder = tmp_path_factory.mktemp("commands-doc")
    found = {}
    for example in EXAMPLES:
        (folder / example.file).write_text(example.text, encoding="utf-8")
        found[example.file] = guoying(*example.argv, cwd=folder)
    return found


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.file for e in EXAMPLES])
def test_every_apply_example_prints_the_documented_result_lines_and_exit_code(
    example: Example, runs: dict[str, Run]
) -> None:
    run = runs[example.file]

    assert run.results() == list(example.stdout), f"paste the new output into the page:\n{run}"
    assert tuple(run.stderr.splitlines()) == example.stderr, run
    assert run.code == example.code, run


def used(example: Example) -> set[str]:
    return {json.loads(line)["command"] for line in example.text.splitlines() if line.strip()}


def test_the_worked_example_uses_every_command_but_those_with_examples_or_tests_of_their_own() -> (
    None
):
    """The selection and the plans have examples of their own; mentoring, which needs a
    title, has none yet (tests/unit/test_mentoring.py runs its commands), nor has oversight
    (tests/unit/test_oversight.py, tests/e2e/test_oversight_commands.py)."""
    assert used(WORKED) == (
        set(COMMAND_TYPES)
        - SELECTION_COMMANDS
        - set(mentoring_commands.__all__)
        - set(oversight_commands.__all__)
        - set(plan_commands.__all__)
    )


def test_the_selection_example_runs_a_base_round_from_its_places_to_its_final_list(
    runs: dict[str, Run],
) -> None:
    """`selection.public_notice`: of a base committee's whole round, only the list made final
    before its three-day notice ended is refused; the list made final the day after is
    applied and its candidate enters the round of the committee above."""
    ran = runs[SELECTION.file].results()
    refused = [(r["line"], r.get("rule_id")) for r in ran if r["status"] != "applied"]
    finals = [i for i, line in enumerate(SELECTION.text.splitlines(), 1) if "FinaliseList" in line]

    assert used(SELECTION) == {
        "SetRoundPlaces",
        "ApplyForSelection",
        "RecordSelectionStep",
        "AnswerConsultation",
        "DecideRoundList",
        "PublishNotice",
        "FinaliseList",
    }
    assert refused == [(finals[0], "selection.public_notice")]
    assert any(e.startswith("round:daiyue:2019@") for e in ran[finals[1] - 1]["events"])


def test_the_worked_example_refuses_exactly_the_documented_lines_by_cap_hierarchy_and_jurisdiction(
    runs: dict[str, Run],
) -> None:
    """`ledger.advanced_cap` refuses a second advanced branch among ten, `org.jurisdiction` a
    township acting for its district, `org.hierarchy` a move to a committee merged away,
    `policy.versions` a policy version dated before the latest; every other line of the
    worked example is applied."""
    documented = {r["line"]: r.get("rule_id") for r in WORKED.stdout if r["status"] != "applied"}
    ran = {
        r["line"]: r.get("rule_id") for r in runs[WORKED.file].results() if r["status"] != "applied"
    }

    assert sorted(documented.values()) == [
        "ledger.advanced_cap",
        "org.hierarchy",
        "org.jurisdiction",
        "policy.versions",
    ]
    assert ran == documented
    assert WORKED.code == 1


# Every command, field and value is documented


def section(doc: str, heading: str) -> str:
    """The text under a heading, up to the next heading of the same or a higher level."""
    level = heading.split(" ", 1)[0]
    start = doc.index(f"\n{heading}\n")
    same_or_higher = re.compile(rf"^#{{1,{len(level)}}} ", re.MULTILINE)
    ends = [m.start() for m in same_or_higher.finditer(doc[start + 1 :])]
    end = start + 1 + ends[1] if len(ends) > 1 else len(doc)
    return doc[start:end]


def documented_fields(text: str) -> set[str]:
    """The field names of the tables in a piece of the page: a row's first cell."""
    return set(re.findall(r"^\| `(\w+)` \|", text, re.MULTILINE))


def field_names(cls: type) -> set[str]:
    return {f.name for f in attrs.fields(cls)}


def documented_types(text: str) -> dict[str, str]:
    """Each table row's field name and its JSON type, the second cell."""
    return dict(re.findall(r"^\| `(\w+)` \| ([^|]+?) \|", text, re.MULTILINE))


@pytest.mark.parametrize("name", COMMAND_TYPES)
def test_every_command_has_a_section_with_a_row_for_each_of_its_own_fields(name: str) -> None:
    own = field_names(COMMAND_TYPES[name]) - field_names(Command)

    assert documented_fields(section(doc_text(), f"### `{name}`")) == own


@pytest.mark.parametrize(
    ("cls", "heading"),
    [
        *((cls, f"### `{name}`") for name, cls in COMMAND_TYPES.items()),
        (Command, "## Shared fields"),
        (Actor, "## Shared fields"),
        (NewBranch, "### New branches of a split"),
        (Policy, "### The `policy` object"),
    ],
    ids=[*COMMAND_TYPES, "Command", "Actor", "NewBranch", "Policy"],
)
def test_a_field_is_documented_as_a_non_blank_string_exactly_when_blank_is_invalid(
    cls: type, heading: str
) -> None:
    types = documented_types(section(doc_text(), heading))
    own = (
        attrs.fields(cls)
        if cls in (Command, Actor, NewBranch, Policy)
        else [f for f in attrs.fields(cls) if f.name not in field_names(Command)]
    )

    for found in own:
        assert (types[found.name] == "non-blank string") == (found.validator is not None), (
            found.name
        )


def test_the_shared_fields_and_the_actor_fields_are_documented() -> None:
    rows = documented_fields(section(doc_text(), "## Shared fields"))

    assert rows == {"command"} | field_names(Command) | field_names(Actor)


def test_the_cap_exceptions_section_names_the_parents_own_decision() -> None:
    """`ledger.advanced_cap`: an exception is the parent's own decision, not a field."""
    text = section(doc_text(), "## Cap exceptions")

    assert "ApproveCapException" in text
    assert "cap_exceptions" not in field_names(Command)


def test_the_fields_of_the_new_branches_of_a_split_are_documented() -> None:
    rows = documented_fields(section(doc_text(), "### New branches of a split"))

    assert rows == field_names(NewBranch)


def test_the_fields_of_a_row_of_annex_2_are_documented() -> None:
    rows = documented_fields(section(doc_text(), "### Rows of Annex 2"))

    assert rows == field_names(CultivationRow)


def test_the_plans_example_refuses_a_wrong_body_and_a_plan_below_the_minimum(
    runs: dict[str, Run],
) -> None:
    """`plan.filing` refuses the district's plan submitted to the city committee instead of
    the Organization Department; `cultivation.minimum` a county-level plan of two exemplars;
    the township's late plan is applied, returned, submitted again and accepted."""
    ran = runs[PLANS.file].results()
    refused = [r.get("rule_id") for r in ran if r["status"] != "applied"]

    assert used(PLANS) == set(plan_commands.__all__) - {"CultivationRow"}
    assert refused == ["plan.filing", "cultivation.minimum"]


def test_the_fields_of_a_policy_version_are_documented() -> None:
    rows = documented_fields(section(doc_text(), "### The `policy` object"))

    assert rows == field_names(Policy)


@pytest.mark.parametrize(
    "enum",
    [
        Tier,
        Sector,
        CommitteeLevel,
        UnitKind,
        SelectionStep,
        AwardLevel,
        VetoPeriod,
        VetoSubject,
        SupervisionMethod,
        FindingKind,
        LinkageKind,
        FundingKind,
        Batch,
    ],
    ids=lambda e: e.__name__,
)
def test_every_enumeration_value_is_documented(enum: Any) -> None:
    text = section(doc_text(), "## Enumerations")

    assert f"`{enum.__name__}`" in text
    assert {member.value for member in enum} <= documented_fields(text)
