"""The rule matrix (docs/rule-matrix.md) is complete: every rule id of the spec is enforced
or has a recorded status, and every enforced or reported rule has a test that names it."""

from __future__ import annotations

from tools.docsite.rule_matrix import PROJECT_RULES, Row, SpecRule, matrix, problems, spec_rules

from guoying.domain.rules import RULE_IDS, RULE_STATUS, RuleStatus


def test_every_rule_of_the_spec_is_enforced_or_recorded_and_every_enforced_rule_is_tested() -> None:
    assert problems() == []


def test_the_spec_in_the_docs_has_exactly_the_rule_ids_of_the_code_but_the_projects_own() -> None:
    spec = [rule.id for rule in spec_rules()]

    assert len(spec) == len(set(spec))
    assert set(spec) | {rule.id for rule in PROJECT_RULES} == set(RULE_IDS)


def test_the_spec_parser_takes_each_bullets_backticked_id_with_its_section() -> None:
    text = (
        "## 3. The ledger (§2, Annex 1)\n\n"
        "- `ledger.tiers` — Each branch has exactly one current tier of the four. More.\n"
        "  `not.a_rule` — a continuation line\n"
        "- `plan.filing` (§1) — Every city-managed committee files a plan.\n"
    )

    assert spec_rules(text) == [
        SpecRule(
            "ledger.tiers",
            "3. The ledger (§2, Annex 1)",
            "Each branch has exactly one current tier of the four",
        ),
        SpecRule(
            "plan.filing",
            "3. The ledger (§2, Annex 1)",
            "Every city-managed committee files a plan.",
        ),
    ]


def _row(rule: str, **kwargs: object) -> Row:
    fields: dict[str, object] = {"handlers": (), "raised_at": (), "status": (), "tests": ()}
    fields.update(kwargs)
    return Row(SpecRule(rule, "3. The ledger", "a rule"), **fields)  # type: ignore[arg-type]


def test_a_rule_neither_enforced_nor_recorded_fails_the_check() -> None:
    found = problems([_row("ledger.tiers", tests=("tests/x.py::test_ledger_tiers",))])

    assert any(p.startswith("ledger.tiers: neither enforced") for p in found)


def test_an_enforced_rule_without_a_test_fails_the_check() -> None:
    found = problems([_row("ledger.tiers", handlers=("AdjustTier",))])

    assert any(p.startswith("ledger.tiers: enforced or reported but no test") for p in found)


def test_a_rule_recorded_as_not_yet_needs_no_test_and_passes() -> None:
    row = _row("ledger.tiers", status=((RuleStatus.NOT_YET, "not built"),))

    assert not any(p.startswith("ledger.tiers") for p in problems([row]))


def test_every_recorded_status_is_of_a_rule_of_the_spec() -> None:
    assert set(RULE_STATUS) <= {row.rule.id for row in matrix()}


def test_a_test_proves_a_rule_by_its_name_or_docstring_and_not_by_a_longer_id() -> None:
    """`ledger.row` is named by `test_..._ledger_row_...` or a docstring naming `ledger.row`,
    never by `ledger.rollup` or `ledger_rows`."""
    from tools.docsite.rule_matrix import rule_patterns

    in_name, in_doc = rule_patterns("ledger.row")

    assert in_name.search("test_a_ledger_row_holds_targets")
    assert not in_name.search("test_the_ledger_rows_are_sorted")
    assert in_doc.search("`ledger.row`: a row holds its targets")
    assert not in_doc.search("ledger.rollup rolls up")
