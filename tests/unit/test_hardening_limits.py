"""Unusable input is reported at its field, never stored and never a traceback (issue 11).

Every case goes through `read_command`, which reads one JSON Lines line exactly as
`guoying apply` does. Limits are `serialization.LIMITS` (docs/commands.md, "Limits").
Defects of issue 11 proved here: 4 (deep nesting, NaN/Infinity, duplicate keys, huge years)
and 5 (no limits on names, ids, dates, decimals).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from guoying.adapters.serialization import LIMITS, json_depth, read_command, schema_depth
from guoying.application.commands import PublishPolicy, RegisterBranch
from guoying.application.errors import InvalidCommand

BRANCH: dict[str, Any] = {
    "command": "RegisterBranch",
    "actor": {"person_id": "clerk", "committee_id": "base"},
    "reason": "first assessment",
    "effective_on": "2017-06-30",
    "branch_id": "b1",
    "name": "北店村党支部",
    "sector": "RURAL",
    "base_committee_id": "base",
    "unit_ids": ["village-1"],
    "year": 2017,
    "tier": "MIDDLE",
}
POLICY: dict[str, Any] = {
    "command": "PublishPolicy",
    "actor": {"person_id": "clerk", "committee_id": "zzb"},
    "reason": "a new version",
    "policy": {"version": "taian-2019", "effective_on": "2019-01-01"},
}


def line(base: dict[str, Any], **changes: Any) -> str:
    return json.dumps({**base, **changes}, ensure_ascii=False)


def policy_line(**changes: Any) -> str:
    return json.dumps({**POLICY, "policy": {**POLICY["policy"], **changes}})


def problems_of(text: str) -> list[str]:
    with pytest.raises(InvalidCommand) as caught:
        read_command(text)
    assert caught.value.exit_code == 2
    return caught.value.problems


def test_a_good_line_is_read_as_its_command() -> None:
    command = read_command(line(BRANCH))
    assert isinstance(command, RegisterBranch)
    assert command.unit_ids == ("village-1",)


@pytest.mark.parametrize(
    ("text", "path", "words"),
    [
        # Text no store can keep: PostgreSQL refuses NUL; UTF-8 has no lone surrogates.
        (line(BRANCH, reason="a\u0000b"), "$.reason", "NUL"),
        (line(BRANCH, name="\u0000"), "$.name", "NUL"),
        (line(BRANCH, unit_ids=["v", "x\u0000"]), "$.unit_ids[1]", "NUL"),
        (
            line(BRANCH, actor={"person_id": "p\u0000", "committee_id": "base"}),
            "$.actor.person_id",
            "NUL",
        ),
        (line(BRANCH, name="\ud800"), "$.name", "lone surrogate"),
        (line(BRANCH, reason="\udfff tail"), "$.reason", "lone surrogate"),
        # Lengths: ids at most 64, names 200, other text 4,000.
        (line(BRANCH, branch_id="b" * 65), "$.branch_id", "at most 64"),
        (line(BRANCH, branch_id="b" * 100_000), "$.branch_id", "at most 64"),
        (line(BRANCH, unit_ids=["v", "u" * 65]), "$.unit_ids[1]", "at most 64"),
        (line(BRANCH, name="名" * 201), "$.name", "at most 200"),
        (line(BRANCH, reason="因" * 4001), "$.reason", "at most 4,000"),
        (
            line(BRANCH, actor={"person_id": "p", "committee_id": "c", "role": "r" * 201}),
            "$.actor.role",
            "at most 200",
        ),
        # Years and dates within 1949-2100.
        (line(BRANCH, year=10000), "$.year", "outside 1949-2100"),
        (line(BRANCH, year=10**19), "$.year", "outside 1949-2100"),
        (line(BRANCH, year=1000), "$.year", "outside 1949-2100"),
        (line(BRANCH, effective_on="9999-12-31"), "$.effective_on", "outside"),
        (line(BRANCH, effective_on="0001-01-01"), "$.effective_on", "outside"),
        # A policy allowing year 10000 is unusable input before it can break dates.
        (policy_line(last_year=10000), "$.policy.last_year", "outside 1949-2100"),
        (policy_line(last_year=10**19), "$.policy.last_year", "outside 1949-2100"),
        (policy_line(annual_titles=10**12), "$.policy.annual_titles", "outside 0-"),
        (policy_line(grant_yuan=-1), "$.policy.grant_yuan", "outside 0-"),
        (policy_line(first_plan_due="9999-12-31"), "$.policy.first_plan_due", "outside"),
        # Decimals: finite, at most 6 places, shares between 0 and 1.
        (policy_line(advanced_share="1E-999999999"), "$.policy.advanced_share", "6 decimal"),
        (policy_line(advanced_share="NaN"), "$.policy.advanced_share", "finite"),
        (policy_line(advanced_share="Infinity"), "$.policy.advanced_share", "finite"),
        (policy_line(advanced_share="-inf"), "$.policy.advanced_share", "finite"),
        (policy_line(advanced_share="sNaN"), "$.policy.advanced_share", "finite"),
        (policy_line(advanced_share="1.5"), "$.policy.advanced_share", "between 0 and 1"),
        (policy_line(weak_share="1E+999999999"), "$.policy.weak_share", "between 0 and 1"),
        (policy_line(advanced_share="5%"), "$.policy.advanced_share", "not a decimal"),
        (policy_line(advanced_share=True), "$.policy.advanced_share", "expected a decimal"),
    ],
)
def test_a_value_outside_what_can_be_stored_or_meant_is_unusable_at_its_field(
    text: str, path: str, words: str
) -> None:
    problems = problems_of(text)
    assert any(p.startswith(f"{path}:") and words in p for p in problems), problems


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"command": "AdjustTier", "year": NaN}', "NaN"),
        ('{"command": "AdjustTier", "year": Infinity}', "Infinity"),
        ('{"command": "AdjustTier", "year": -Infinity}', "Infinity"),
        (
            '{"command": "PublishPolicy", "policy": {"advanced_share": NaN}}',
            "NaN",
        ),
        ('{"command": "AdjustTier", "command": "RegisterBranch"}', "duplicate key 'command'"),
        ('{"command": "AdjustTier", "actor": {"person_id": "a", "person_id": "b"}}', "duplicate"),
        ('{"command": "AdjustTier", "year": 1e400}', "out of range"),
        ('{"command": "PublishPolicy", "policy": {"advanced_share": 1E-999999999}}', "range"),
        ('{"command": "AdjustTier", "year": ' + "9" * 5000 + "}", "out of range"),
        ("[" * 1000 + "]" * 1000, "nested 1000 levels"),
        ('{"a":' * 50_000 + "1" + "}" * 50_000, "nested 50000 levels"),
    ],
)
def test_json_no_command_can_mean_is_unusable_at_the_root(text: str, words: str) -> None:
    problems = problems_of(text)
    assert any(p.startswith("$:") and words in p for p in problems), problems


def test_a_line_over_the_size_limit_is_unusable_before_it_is_parsed() -> None:
    huge = line(BRANCH, name="名" * (LIMITS.line_bytes // 3 + 1))
    problems = problems_of(huge)
    assert problems[0].startswith("$: the line is"), problems
    assert "at most 1,048,576" in problems[0]


def test_nesting_is_limited_to_the_deepest_command_of_the_schema_and_strings_do_not_count() -> None:
    # A split's new branch's units are the deepest: command, new_branches, branch, unit_ids.
    assert schema_depth() == 4
    assert json_depth('{"a": "[[[[[[{{{{"}') == 1
    assert json_depth('{"a": "\\"[[["}') == 1
    split = {
        "command": "SplitBranch",
        "actor": {"person_id": "p", "committee_id": "base"},
        "reason": "拆分",
        "branch_id": "b1",
        "new_branches": [
            {
                "branch_id": "b2",
                "name": "新支部",
                "sector": "RURAL",
                "unit_ids": ["u1"],
                "tier": "MIDDLE",
            }
        ],
    }
    assert read_command(json.dumps(split, ensure_ascii=False))


def test_the_decimal_fields_still_take_a_plain_number_read_through_its_text() -> None:
    command = read_command(policy_line(advanced_share=0.15))
    assert isinstance(command, PublishPolicy)
    assert str(command.policy.advanced_share) == "0.15"


def test_text_up_to_each_limit_is_accepted() -> None:
    command = read_command(
        line(BRANCH, branch_id="b" * 64, name="名" * 200, reason="因" * 4000, year=2100)
    )
    assert isinstance(command, RegisterBranch)
    assert len(command.name) == 200


def test_a_message_quoting_a_lone_surrogate_can_still_be_printed() -> None:
    problems = problems_of(json.dumps({**BRANCH, "\ud800": 1}))
    for problem in problems:
        problem.encode("utf-8")  # would raise on a lone surrogate
    assert any("unknown field" in p for p in problems), problems
