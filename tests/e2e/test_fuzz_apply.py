"""Fuzzing `guoying apply` (issue 11): Hypothesis writes command files, valid lines of the
small city mutated and lines of anything at all, and feeds them to `apply` on SQLite and
PostgreSQL, one store each, examples accumulating on it as a user's would.

Invariant of every run: no traceback; exit 0, 1 or 2; with exit 2 every result is an
unusable line and nothing was written; otherwise one result per line, each applied or
refused, the events grown by what was applied and the refusal log by what a rule or
authority refused. Afterwards `verify` passes, the views caught up equal a fresh replay, and
every read works.

The CLI runs in this process (typer's runner) so that an example costs milliseconds, not
an interpreter's start. `make test` runs a bounded number of examples
($GUOYING_FUZZ_EXAMPLES, 40 by default); `make fuzz` runs many more.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from guoying import Guoying
from guoying.adapters import schema
from guoying.adapters.verification import verify
from guoying.cli import app
from tests.e2e.city import CAIYUAN, LIAISON, MANZHUANG, MZ_BRANCHES, city_lines, command

EXAMPLES = int(os.environ.get("GUOYING_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ORG_DEPT = {"person_id": "zzb-clerk", "committee_id": "taian-zzb", "role": "组织部"}
BRANCHES = [*MZ_BRANCHES, "cy-01", "cy-02", "nowhere"]
TIERS = ["ADVANCED", "MIDDLE", "LAGGING", "WEAK"]

# Text of every kind: NUL, lone surrogates, separators JSON keeps unescaped, long runs.
ANY_TEXT = st.one_of(
    st.text(max_size=20),
    st.text(st.characters(codec=None), max_size=20),
    st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfff", "\u2028", "\u0085", " ", ""]),
    st.integers(0, 300).map(lambda n: "长" * n),
)
ANY_NUMBER = st.one_of(
    st.integers(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([2017, 2018, 2019, 2016, 10000, 10**19, 0, -1]),
)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | ANY_NUMBER | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=6,
)


@st.composite
def valid_lines(draw: st.DrawFn) -> dict[str, Any]:
    """A line the city can take (or refuse by a rule): its commands on its branches."""
    branch_id = draw(st.sampled_from(BRANCHES))
    by = CAIYUAN if branch_id.startswith("cy-") else MANZHUANG
    year = draw(st.sampled_from([2017, 2018, 2019]))
    kind = draw(st.sampled_from(["AdjustTier", "SetCreationTarget", "RenameBranch", "Person"]))
    if kind == "AdjustTier":
        return command(
            kind,
            by,
            "考评",
            f"{year + 1}-01-20",
            branch_id=branch_id,
            year=year,
            tier=draw(st.sampled_from(TIERS)),
        )
    if kind == "SetCreationTarget":
        return command(
            kind,
            by,
            "目标",
            "2018-02-01",
            branch_id=branch_id,
            year=year,
            target=draw(st.sampled_from(TIERS)),
        )
    if kind == "RenameBranch":
        return command(
            kind,
            by,
            "更名",
            "2018-03-01",
            branch_id=branch_id,
            name=draw(st.text(min_size=1, max_size=8)),
        )
    person = draw(st.sampled_from([LIAISON[0], "fz-p1", "fz-p2"]))
    return command(
        "RegisterPerson",
        MANZHUANG,
        "联系人",
        "2018-01-01",
        person_id=person,
        name=draw(st.text(min_size=1, max_size=8).filter(str.strip)),
        phone="1",
    )


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    line = draw(valid_lines())
    key = draw(st.sampled_from(sorted(line)))
    action = draw(st.sampled_from(["replace", "delete", "add", "policy"]))
    if action == "replace":
        line[key] = draw(ANY_JSON)
    elif action == "delete":
        del line[key]
    elif action == "add":
        line[draw(ANY_TEXT)] = draw(ANY_JSON)
    else:
        policy = {
            "version": draw(ANY_TEXT),
            "effective_on": "2018-01-01",
            draw(
                st.sampled_from(["advanced_share", "last_year", "first_year", "annual_titles"])
            ): draw(ANY_JSON),
        }
        line = command("PublishPolicy", ORG_DEPT, "新版本", "2018-01-01", policy=policy)
    return line


def as_text(line: dict[str, Any], ascii_only: bool) -> str:
    try:
        return json.dumps(line, ensure_ascii=ascii_only)
    except ValueError:  # NaN in a float from the strategies: say it as JSON text would
        return json.dumps(line, ensure_ascii=True, allow_nan=True)


@st.composite
def raw_lines(draw: st.DrawFn) -> str:
    """Lines no serializer would write: deep nesting, NaN, duplicate keys, cut short."""
    good = as_text(draw(valid_lines()), True)
    return draw(
        st.sampled_from(
            [
                "[" * 2000 + "]" * 2000,
                '{"a":' * 600 + "1" + "}" * 600,
                good[: len(good) // 2],
                good.replace('"reason"', '"reason": "x", "reason"', 1),
                good.replace("}", ', "advanced_share": NaN}', 1),
                good.replace("}", ', "year": 1e999}', 1),
                good.replace("}", ', "year": ' + "9" * 5000 + "}", 1),
                "\ufeff" + good,
                "",
                "   ",
            ]
        )
    )


LINES = st.one_of(
    valid_lines().map(lambda line: as_text(line, False)),
    st.tuples(mutated(), st.booleans()).map(lambda pair: as_text(*pair)),
    raw_lines(),
    ANY_TEXT.filter(lambda s: "\n" not in s).map(lambda s: as_text({"x": s}, True)[:-1]),
)


def stdin_text(lines: list[str]) -> str:
    # Lone surrogates can only travel as JSON escapes: a file holds UTF-8.
    return "".join(
        line.encode("utf-8", "surrogatepass").decode("utf-8", "replace") + "\n" for line in lines
    )


def counts(url: str) -> tuple[int, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            events = conn.execute(sa.select(sa.func.count()).select_from(schema.events))
            refusals = conn.execute(sa.select(sa.func.count()).select_from(schema.refusals))
            return int(events.scalar_one()), int(refusals.scalar_one())
    finally:
        engine.dispose()


class Fuzzed:
    def __init__(self, url: str) -> None:
        self.url = url
        self.runner = CliRunner()

    def apply(self, text: str, *options: str) -> tuple[int, list[dict[str, Any]], str]:
        done = self.runner.invoke(app, ["apply", "-", "--store", self.url, *options], input=text)
        if done.exception is not None and not isinstance(done.exception, SystemExit):
            raise done.exception  # a traceback is the finding
        # JSON Lines end at "\n" alone: a result may quote U+2028 unescaped.
        results = [json.loads(line) for line in done.stdout.split("\n") if line.strip()]
        return done.exit_code, results, done.stderr


@pytest.fixture(params=["sqlite", "postgres"])
def fuzzed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Fuzzed]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    else:
        url = str(request.getfixturevalue("postgres_url"))
    target = Fuzzed(url)
    code, _, stderr = target.apply("".join(json.dumps(line) + "\n" for line in city_lines()))
    assert code == 0, stderr
    yield target
    # Afterwards the store verifies, its caught-up views equal a replay, every read works.
    with Guoying(url, create=False) as opened:
        assert verify(opened.store).ok
        assert opened.ledger("manzhuang", 2018).rows
        assert opened.history("mz-01")
        opened.refusals()
        list(opened.audit())
        assert opened.replay_check() == []
        opened.rebuild_views()
        assert opened.replay_check() == []


@FUZZ
@given(
    # Files of usable lines alone half the time: one unusable line stops a whole file, so
    # mixed files alone would seldom reach the store.
    lines=st.one_of(
        st.lists(valid_lines().map(lambda line: as_text(line, False)), min_size=1, max_size=6),
        st.lists(LINES, min_size=1, max_size=6),
    ),
    atomic=st.booleans(),
)
def test_apply_never_crashes_and_every_line_is_applied_refused_or_unusable(
    fuzzed: Fuzzed, lines: list[str], atomic: bool
) -> None:
    text = stdin_text(lines)
    numbered = [n for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
    events_before, refusals_before = counts(fuzzed.url)
    code, results, stderr = fuzzed.apply(text, *(["--atomic"] if atomic else []))
    events_after, refusals_after = counts(fuzzed.url)
    assert code in (0, 1, 2), stderr
    assert "Traceback" not in stderr
    if code == 2:
        # Unusable input: every reported line is one of the file's, nothing was written.
        assert results, stderr
        assert all(r["status"] == "invalid" and r["line"] in numbered for r in results)
        assert all(r["errors"] for r in results)
        assert (events_after, refusals_after) == (events_before, refusals_before)
        return
    expected = ([numbered] if numbered else []) if atomic else numbered
    assert [r["line"] for r in results] == [
        (n if len(n) > 1 else n[0]) if isinstance(n, list) else n for n in expected
    ]
    applied = [r for r in results if r["status"] == "applied"]
    refused = [r for r in results if r["status"] == "refused"]
    assert len(applied) + len(refused) == len(results)
    assert code == (1 if refused else 0)
    assert events_after - events_before == sum(len(r["events"]) for r in applied)
    logged = [r for r in refused if r["error"] in ("refused", "not_authorized")]
    assert refusals_after - refusals_before == len(logged)
