"""The peer: the same year's work through a plain eventsourcing `Application`.

What a user would otherwise pick: eventsourcing's own `Application` on its own recorder for
the database (`eventsourcing.sqlite` or `eventsourcing.postgres`), its `Repository` with its
aggregate cache (as large as guoying's, 4,096, with its defaults: fast-forward and a deep
copy on each read from the cache), and plain eventsourcing aggregates whose events carry the
payloads of guoying's events: the actor, the authority (rule ids and policy version), the
reason, the business date and the decision's own fields. Nothing else: no hash chain, no
caps judged across aggregates, no authority over the committee tree, no refusal log, no
views. Each command loads the one aggregate it is about, decides on it and saves it.
"""

# An `@event` method's parameters are its event's fields; the aggregate keeps only the few
# it decides on, so most are unused in the method's body.
# ruff: noqa: ARG002

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import JSONTranscoder, Transcoding

from bench.datasets import pg_schema
from guoying.application import commands as c
from guoying.application.registry import REGISTRY
from guoying.domain.values import Actor, Authority, Sector, Tier
from guoying.synthetic import CityPlan, year_commands
from guoying.synthetic.years import synthetic_policy

# guoying's own cache holds this many aggregates (adapters/aggregates.py).
CACHE_SIZE = 4096
NAMESPACE = uuid.UUID("6f1d3b52-4c1e-4a53-9a57-0c3c1f0b8d21")

# Registration commands about people, units and leaders: the peer keeps no aggregate for
# them (no command of the measured year reads them), so seeding its history passes them by.
NOT_KEPT: tuple[type[c.Command], ...] = (c.RegisterPerson, c.AppointLeader, c.RegisterUnit)


def branch_uuid(branch_id: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"branch:{branch_id}")


def problems_uuid(committee_id: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"common-problems:{committee_id}")


class _DateAsISO(Transcoding):
    type = date
    name = "date"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class _TierAsValue(Transcoding):
    type = Tier
    name = "tier"

    def encode(self, obj: Tier) -> str:
        return str(obj.value)

    def decode(self, data: str) -> Tier:
        return Tier(data)


class _SectorAsValue(Transcoding):
    type = Sector
    name = "sector"

    def encode(self, obj: Sector) -> str:
        return str(obj.value)

    def decode(self, data: str) -> Sector:
        return Sector(data)


class _ActorAsList(Transcoding):
    type = Actor
    name = "actor"

    def encode(self, obj: Actor) -> list[str]:
        return [obj.person_id, obj.committee_id, obj.role]

    def decode(self, data: list[str]) -> Actor:
        return Actor(*data)


class _AuthorityAsList(Transcoding):
    type = Authority
    name = "authority"

    def encode(self, obj: Authority) -> list[Any]:
        # The peer judges no caps, so it never records a cap exception.
        return [list(obj.rule_ids), obj.policy_version]

    def decode(self, data: list[Any]) -> Authority:
        return Authority(tuple(data[0]), data[1])


class PeerBranch(Aggregate):
    """A branch's ledger row: its tiers, target, liaison and rectification cases."""

    @staticmethod
    def create_id(branch_id: str, **_: Any) -> uuid.UUID:
        return branch_uuid(branch_id)

    @event("BranchRegistered")
    def __init__(
        self,
        *,
        actor: Actor,
        authority: Authority,
        reason: str,
        effective_on: date,
        branch_id: str,
        name: str,
        sector: Sector,
        base_committee_id: str,
        unit_ids: Sequence[str],
        is_financial_institution: bool,
        year: int,
        tier: Tier,
    ) -> None:
        self.branch_id = branch_id
        self.base_committee_id = base_committee_id
        self.tiers: dict[int, Tier] = {year: tier}
        self.targets: dict[int, Tier] = {}
        self.liaison: str | None = None
        self.open_cases: set[str] = set()
        self.closed_cases: set[str] = set()

    def tier_for(self, year: int) -> Tier:
        return self.tiers[max(y for y in self.tiers if y <= year)]

    @event("TierAdjusted")
    def adjust_tier(
        self,
        *,
        actor: Actor,
        authority: Authority,
        reason: str,
        effective_on: date,
        year: int,
        previous_tier: Tier,
        new_tier: Tier,
    ) -> None:
        self.tiers[year] = new_tier

    @event("CreationTargetSet")
    def set_target(
        self,
        *,
        actor: Actor,
        authority: Authority,
        reason: str,
        effective_on: date,
        year: int,
        target: Tier,
    ) -> None:
        self.targets[year] = target

    @event("LiaisonAssigned")
    def assign_liaison(
        self,
        *,
        actor: Actor,
        authority: Authority,
        reason: str,
        effective_on: date,
        person_id: str,
        position: str,
        previous_person_id: str | None,
    ) -> None:
        self.liaison = person_id

    @event("ProblemFound")
    def find_problem(
        self,
        *,
        actor: Actor,
        authority: Authority,
        reason: str,
        effective_on: date,
        case_id: str,
        problem: str,
        measure: str,
        owner_id: str,
        deadline: date,
    ) -> None:
        self.open_cases.add(case_id)

    @event("RectificationSignedOff")
    def sign_off(
        self,
        *,
        actor: Actor,
        authority: Authority,
        reason: str,
        effective_on: date,
        case_id: str,
        outcome: str,
    ) -> None:
        self.open_cases.discard(case_id)
        self.closed_cases.add(case_id)


class PeerCommonProblems(Aggregate):
    """A committee's problems common to its branches."""

    @staticmethod
    def create_id(committee_id: str, **_: Any) -> uuid.UUID:
        return problems_uuid(committee_id)

    @event("Started")
    def __init__(self, *, committee_id: str) -> None:
        self.committee_id = committee_id
        self.problem_ids: set[str] = set()

    @event("CommonProblemRecorded")
    def record(
        self,
        *,
        actor: Actor,
        authority: Authority,
        reason: str,
        effective_on: date,
        committee_id: str,
        problem_id: str,
        year: int,
        problem: str,
        measure: str,
    ) -> None:
        self.problem_ids.add(problem_id)


class PeerError(ValueError):
    """A command the peer cannot carry out: the stream and the peer's history disagree."""


class Peer(Application[uuid.UUID]):
    """The plain application: one command, one aggregate read, one decision, one save."""

    def __init__(self, env: dict[str, str], policy_version: str) -> None:
        super().__init__(env)
        self.policy_version = policy_version

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for transcoding in (
            _DateAsISO(),
            _TierAsValue(),
            _SectorAsValue(),
            _ActorAsList(),
            _AuthorityAsList(),
        ):
            transcoder.register(transcoding)

    def stamp(self, command: c.Command) -> dict[str, Any]:
        """The metadata guoying's events carry: the rule ids its handler applies."""
        return {
            "actor": command.actor,
            "authority": Authority(REGISTRY[type(command)].rules, self.policy_version),
            "reason": command.reason,
            "effective_on": command.effective_on,
        }

    def execute(self, command: c.Command) -> int:
        """Carry out one command; the number of events saved."""
        aggregate = self.decide(command, self._read)
        return len(self.save(aggregate))

    def _read(self, aggregate_id: uuid.UUID) -> Aggregate | None:
        try:
            found: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return found

    def decide(
        self, command: c.Command, read: Callable[[uuid.UUID], Aggregate | None]
    ) -> Aggregate:
        """The aggregate `command` changes, with its new event pending."""
        stamp = self.stamp(command)
        if isinstance(command, c.RegisterBranch):
            return PeerBranch(
                **stamp,
                branch_id=command.branch_id,
                name=command.name,
                sector=command.sector,
                base_committee_id=command.base_committee_id,
                unit_ids=command.unit_ids,
                is_financial_institution=command.is_financial_institution,
                year=command.year,
                tier=command.tier,
            )
        if isinstance(command, c.RecordCommonProblem):
            problems = read(problems_uuid(command.committee_id))
            if problems is None:
                problems = PeerCommonProblems(committee_id=command.committee_id)
            assert isinstance(problems, PeerCommonProblems)
            if command.problem_id in problems.problem_ids:
                raise PeerError(f"common problem {command.problem_id!r} is already recorded")
            problems.record(
                **stamp,
                committee_id=command.committee_id,
                problem_id=command.problem_id,
                year=command.year,
                problem=command.problem,
                measure=command.measure,
            )
            return problems
        branch_id = getattr(command, "branch_id", None)
        branch = read(branch_uuid(branch_id)) if isinstance(branch_id, str) else None
        if not isinstance(branch, PeerBranch):
            raise PeerError(f"{type(command).__name__}: no branch {branch_id!r} in the peer")
        if isinstance(command, c.AdjustTier):
            branch.adjust_tier(
                **stamp,
                year=command.year,
                previous_tier=branch.tier_for(command.year),
                new_tier=command.tier,
            )
        elif isinstance(command, c.SetCreationTarget):
            branch.set_target(**stamp, year=command.year, target=command.target)
        elif isinstance(command, c.AssignLiaison):
            branch.assign_liaison(
                **stamp,
                person_id=command.person_id,
                position=command.position,
                previous_person_id=branch.liaison,
            )
        elif isinstance(command, c.RecordProblem):
            if command.case_id in branch.open_cases | branch.closed_cases:
                raise PeerError(f"case {command.case_id!r} is already open")
            branch.find_problem(
                **stamp,
                case_id=command.case_id,
                problem=command.problem,
                measure=command.measure,
                owner_id=command.owner_id,
                deadline=command.deadline,
            )
        elif isinstance(command, c.SignOffRectification):
            if command.case_id not in branch.open_cases:
                raise PeerError(f"case {command.case_id!r} is not open")
            branch.sign_off(**stamp, case_id=command.case_id, outcome=command.outcome)
        else:
            raise PeerError(f"the peer does not carry out {type(command).__name__}")
        return branch

    def execute_unit(self, commands: Sequence[c.Command]) -> None:
        """Commands decided one after another on the aggregates they read, and saved in
        one write, as guoying's `execute_unit`: how the peer's history is saved and its
        warm-up run, untimed."""
        held: dict[uuid.UUID, Aggregate] = {}

        def read(aggregate_id: uuid.UUID) -> Aggregate | None:
            if aggregate_id not in held:
                found = self._read(aggregate_id)
                if found is None:
                    return None
                held[aggregate_id] = found
            return held[aggregate_id]

        for command in commands:
            if isinstance(command, NOT_KEPT):
                continue
            aggregate = self.decide(command, read)
            held[aggregate.id] = aggregate
        self.save(*held.values())


@contextlib.contextmanager
def peer_env(database: str, folder: Path, admin_url: str | None) -> Iterator[dict[str, str]]:
    """The environment of a peer on a fresh database (SQLite file) or schema (PostgreSQL)."""
    env = {"AGGREGATE_CACHE_MAXSIZE": str(CACHE_SIZE)}
    if database == "sqlite":
        path = folder / f"peer-{uuid.uuid4().hex[:8]}.db"
        try:
            yield {**env, "PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    assert admin_url is not None
    url = sa.engine.make_url(admin_url)
    with pg_schema(admin_url, "bench_peer") as schema:
        yield {
            **env,
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.database or "",
            "POSTGRES_HOST": url.host or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": url.username or "postgres",
            "POSTGRES_PASSWORD": url.password or "",
            "POSTGRES_SCHEMA": schema,
        }


def _sqlite_synchronous(app: Peer) -> int | None:
    """SQLite's `synchronous` on the peer's connections (2 is FULL, guoying's default)."""
    datastore = getattr(app.factory, "datastore", None)
    if datastore is None or not hasattr(datastore, "db_name"):
        return None
    with datastore.transaction(commit=False) as cursor:
        cursor.execute("PRAGMA synchronous")
        return int(cursor.fetchone()[0])


def peer_writes(
    env: dict[str, str],
    plan: CityPlan,
    year_index: int,
    warm: Sequence[Sequence[c.Command]],
    samples: Sequence[Sequence[c.Command]],
) -> Generator[tuple[int, int, float], None, None]:
    """Each sample's commands, events and seconds through the peer, sample by sample.

    First, untimed, the history of every base committee the work touches (each year before
    `year_index`, one write per committee), so that the peer decides on aggregates with the
    same events behind them; then a new `Peer` on that store, with an empty cache, runs the
    warm-up units (one write each) and the samples one command at a time, as the library
    does."""
    policy_version = synthetic_policy(plan.spec).version
    bases = _bases(plan, [*warm, *samples])
    seeding = Peer(env, policy_version)
    try:
        if (synchronous := _sqlite_synchronous(seeding)) not in (None, 2):
            raise PeerError(f"the peer's SQLite runs synchronous={synchronous}, not FULL")
        for base_id in sorted(bases):
            for index in range(year_index):
                seeding.execute_unit(year_commands(plan, index, base_id))
    finally:
        seeding.close()
    app = Peer(env, policy_version)
    try:
        for unit in warm:
            app.execute_unit(unit)
        for sample in samples:
            began = time.perf_counter()
            events = sum(app.execute(command) for command in sample)
            yield len(sample), events, time.perf_counter() - began
    finally:
        app.close()


def _bases(plan: CityPlan, units: Sequence[Sequence[c.Command]]) -> set[str]:
    """The base committees whose work `units` are (every command acts for its own)."""
    found = {command.actor.committee_id for unit in units for command in unit}
    unknown = sorted(found - set(plan.branches))
    if unknown:
        raise PeerError(f"not base committees of the city: {', '.join(unknown)}")
    return found
