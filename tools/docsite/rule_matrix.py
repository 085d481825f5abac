"""The rule matrix: every rule id of docs/spec/rules.md, where the code enforces it (a
handler registered with it, a RuleViolation raised with it), where it is only reported or
not built yet (`guoying.domain.rules.RULE_STATUS`), and the tests that prove it (a test
whose name or docstring names it).

`problems()` is what `make test` checks: a rule with neither enforcement nor a recorded
status, an enforced rule without a test, a status recorded for an id the spec lacks.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from attrs import frozen

from guoying.application.catalogue import COMMAND_TYPES
from guoying.application.registry import REGISTRY
from guoying.domain.rules import RULE_IDS, RULE_STATUS, RuleStatus

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "docs" / "spec" / "rules.md"
SRC = ROOT / "src" / "guoying"
TESTS = ROOT / "tests"
# A rule of the catalogue: a bullet opening with its backticked `area.name` id.
RULE_BULLET = re.compile(r"^- `([a-z_]+\.[a-z_]+)`(?: \(([^)]*)\))? — (.*)$")


@frozen
class SpecRule:
    id: str
    section: str
    summary: str


def spec_rules(text: str | None = None) -> list[SpecRule]:
    """The rules of the catalogue in its order, each with its section and first sentence."""
    section, found = "", []
    for line in (text if text is not None else SPEC.read_text(encoding="utf-8")).splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        match = RULE_BULLET.match(line)
        if match:
            found.append(SpecRule(match.group(1), section, match.group(3).split(". ")[0]))
    return found


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _violation_rule(node: ast.Call) -> str | None:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    if name == "JurisdictionViolation":
        return "org.jurisdiction"
    if name == "RuleViolation" and node.args:
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    return None


def raises() -> dict[str, list[str]]:
    """Each rule id a RuleViolation (or JurisdictionViolation) is raised with: file:line."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                rule = _violation_rule(node.exc)
                if rule is not None:
                    found[rule].append(f"{_relative(path)}:{node.lineno}")
    return found


def registrations() -> dict[str, list[str]]:
    """Each rule id the handlers are registered with: the command types."""
    found: dict[str, list[str]] = defaultdict(list)
    for name, command_type in COMMAND_TYPES.items():
        for rule in REGISTRY[command_type].rules:
            found[rule].append(name)
    return found


def _test_functions(tree: ast.Module) -> Iterator[tuple[str, str]]:
    """Each test function's qualified name and the docstrings that speak for it (its own
    and its class's)."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            yield node.name, ast.get_docstring(node) or ""
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            outer = ast.get_docstring(node) or ""
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and (
                    item.name.startswith("test")
                ):
                    yield f"{node.name}.{item.name}", f"{outer}\n{ast.get_docstring(item) or ''}"


def rule_patterns(rule: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    in_name = re.compile(rf"(?:^|_){re.escape(rule.replace('.', '_'))}(?:_|$)")
    in_doc = re.compile(rf"(?<![\w.]){re.escape(rule)}(?![\w])")
    return in_name, in_doc


def proving_tests(rules: list[str]) -> dict[str, list[str]]:
    """Each rule's tests: `path::name` of every test whose name or docstring names it."""
    patterns = {rule: rule_patterns(rule) for rule in rules}
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(TESTS.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name, doc in _test_functions(tree):
            short = name.rsplit(".", 1)[-1]
            for rule, (in_name, in_doc) in patterns.items():
                if in_name.search(short) or in_doc.search(doc):
                    found[rule].append(f"{_relative(path)}::{name}")
    return found


@frozen
class Row:
    rule: SpecRule
    handlers: tuple[str, ...]
    raised_at: tuple[str, ...]
    status: tuple[tuple[RuleStatus, str], ...]
    tests: tuple[str, ...]

    @property
    def enforced(self) -> bool:
        return bool(self.handlers or self.raised_at)


# Ids the project names for paragraphs of rules.md 9a that the catalogue gives none.
PROJECT_RULES = (
    SpecRule(
        "policy.versions",
        "9a. Time, years, people and refusals (an id the project names)",
        "Policy versions take effect on a date; each decision is judged by the version in "
        "effect on its `effective_on`, and records that version",
    ),
    SpecRule(
        "people.erasure",
        "9a. Time, years, people and refusals (an id the project names)",
        "People are referred to by id in every event; their names and telephone numbers are "
        "personal data kept so that one person's can be erased later without rewriting any "
        "event",
    ),
)


def matrix() -> list[Row]:
    rules = [*spec_rules(), *PROJECT_RULES]
    by_handler, by_raise = registrations(), raises()
    tests = proving_tests([r.id for r in rules])
    return [
        Row(
            rule,
            tuple(by_handler.get(rule.id, ())),
            tuple(by_raise.get(rule.id, ())),
            tuple(RULE_STATUS.get(rule.id, ())),  # type: ignore[call-overload]
            tuple(tests.get(rule.id, ())),
        )
        for rule in rules
    ]


def problems(rows: list[Row] | None = None) -> list[str]:
    rows = matrix() if rows is None else rows
    found = []
    ids = {row.rule.id for row in rows}
    for row in rows:
        if not row.enforced and not row.status:
            found.append(
                f"{row.rule.id}: neither enforced (no handler registered with it, no "
                "RuleViolation raised with it) nor recorded as reported only or not yet in "
                "guoying.domain.rules.RULE_STATUS"
            )
        reported = any(status is RuleStatus.REPORTED for status, _ in row.status)
        if (row.enforced or reported) and not row.tests:
            found.append(
                f"{row.rule.id}: enforced or reported but no test names it in its name or docstring"
            )
        if row.rule.id not in RULE_IDS:
            found.append(f"{row.rule.id}: in the spec but not in guoying.domain.rules.RuleId")
    found.extend(
        f"{rule}: a status is recorded for an id the spec does not have"
        for rule in RULE_STATUS
        if rule not in ids
    )
    found.extend(
        f"{rule}: in guoying.domain.rules.RuleId but not in the spec"
        for rule in RULE_IDS
        if rule not in ids
    )
    return found


STATUS_WORDS = {RuleStatus.REPORTED: "reported", RuleStatus.NOT_YET: "not yet"}


def rule_anchor(rule: str) -> str:
    return rule.replace(".", "-").replace("_", "-")


def page() -> str:
    rows = matrix()
    lines = [
        "# The rule matrix\n",
        "<!-- Generated by tools/docsite/rule_matrix.py from the code: do not edit. -->\n",
        (
            "Every rule id of [the rule catalogue](spec/rules.md) (and the two ids the project "
            "names for paragraphs of its section 9a), where the code enforces it, "
            "where it is reported rather than refused or not built yet, and the tests that prove "
            "it. *Enforced* means a handler is registered with the rule (`@handles(Command, "
            '"rule.id")`: the rule is applied and named in each decision\'s authority) or a '
            "`RuleViolation` is raised with it; *reported* (a view reports the rule, or the part "
            "of it that is not refused) and *not yet* are recorded in "
            "`guoying.domain.rules.RULE_STATUS`. A test proves a rule when its name or docstring "
            "names the id. `tests/unit/test_rule_matrix.py` fails when a rule has neither "
            "enforcement nor a recorded status, or is enforced without a test.\n"
        ),
        "| rule | section | handlers | raised at | reported / not yet | tests |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        status = "; ".join(STATUS_WORDS[s] for s, _ in row.status)
        section = row.rule.section.split("(")[0].strip()
        lines.append(
            f"| [`{row.rule.id}`](#{rule_anchor(row.rule.id)}) | {section} "
            f"| {len(row.handlers)} | {len(row.raised_at)} | {status} | {len(row.tests)} |"
        )
    lines.append("")
    for row in rows:
        lines.append(f"## `{row.rule.id}` {{#{rule_anchor(row.rule.id)}}}\n")
        lines.append(f"*{row.rule.section}.* {row.rule.summary}.\n")
        if row.handlers:
            lines.append(
                "**Handlers registered with it:** "
                + ", ".join(f"[`{c}`](reference/commands.md#{c.lower()})" for c in row.handlers)
                + ".\n"
            )
        if row.raised_at:
            lines.append(
                "**RuleViolation raised at:** " + ", ".join(f"`{s}`" for s in row.raised_at) + ".\n"
            )
        for status, where in row.status:
            lines.append(f"**{STATUS_WORDS[status].capitalize()}:** {where}\n")
        if row.tests:
            lines.append("**Tests:**\n")
            lines.extend(f"- `{t}`" for t in row.tests)
            lines.append("")
        else:
            lines.append("**Tests:** none name it.\n")
    return "\n".join(lines)
