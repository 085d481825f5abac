"""Reads of the ledger (Annex 1), its figures, a branch's history and the finders."""

from __future__ import annotations

from datetime import date, datetime

from guoying.api.core import Core
from guoying.application.errors import NotFound, OutOfRange
from guoying.domain.values import Sector, Tier, year_end
from guoying.projections.history.queries import HistoryEntry, read_history
from guoying.projections.ledger.coverage import LiaisonCoverage, liaison_coverage
from guoying.projections.ledger.figures import TierFigures, figures
from guoying.projections.ledger.queries import Ledger, read_ledger
from guoying.projections.ledger.search import BranchFound, find_branches, find_committees
from guoying.projections.ledger.tree import CommitteeRow, load_committees


class LedgerReads(Core):
    def ledger(
        self,
        committee_id: str,
        year: int,
        *,
        as_known_at: datetime | None = None,
        as_of: date | None = None,
    ) -> Ledger:
        """Annex 1 for a committee and year; a committee above base level gets the rollup.

        `as_known_at`: what the store held at that recorded time; `as_of`: what was in
        effect on that business date (by default the end of the year), as known now.
        """
        policy = self.policy_for_year(year)
        self.catch_up()
        reading = self.reading(as_known_at, as_of)
        with self.store.engine.connect() as conn:
            found = read_ledger(conn, committee_id, year, policy, self.today(), reading)
        if found is None:
            with self.store.engine.connect() as conn:
                known = committee_id in load_committees(conn, cut=reading.cut)
                known_now = known or committee_id in load_committees(conn)
            if known:
                raise OutOfRange(
                    "committee_id",
                    f"{committee_id!r} was not active at the end of {year} (dissolved, or not "
                    "yet founded); use --as-of a date when it was",
                )
            if known_now and as_known_at is not None:
                # It exists, but the store had not recorded it yet at that time: say so,
                # rather than that there is no such committee.
                raise OutOfRange(
                    "as_known_at",
                    f"committee {committee_id!r} was not known yet at {as_known_at.isoformat()}: "
                    "the store recorded it later; give a later --as-known-at (`guoying history` "
                    "and `guoying audit` show when each decision was recorded)",
                )
            raise NotFound("committee_id", committee_id)
        return found

    def figures(self, committee_id: str, year: int) -> TierFigures:
        policy = self.policy_for_year(year)
        self.catch_up()
        with self.store.engine.connect() as conn:
            committees = load_committees(conn, year_end(year))
            if committee_id not in committees:
                raise NotFound("committee_id", committee_id)
            return figures(conn, committees, committee_id, year, policy)

    def history(
        self,
        branch_id: str,
        *,
        as_known_at: datetime | None = None,
        as_of: date | None = None,
    ) -> list[HistoryEntry]:
        """Every decision on a branch (and on branches merged into it), in store order."""
        self.catch_up()
        reading = self.reading(as_known_at, as_of)
        with self.store.engine.connect() as conn:
            if not read_history(conn, branch_id):
                raise NotFound("branch_id", branch_id)
            return read_history(conn, branch_id, reading)

    def branches(
        self,
        *,
        committee_id: str | None = None,
        name: str | None = None,
        sector: Sector | None = None,
        tier: Tier | None = None,
        year: int | None = None,
    ) -> list[BranchFound]:
        """Find branches by committee subtree, a substring of their name, sector and tier,
        as they stood at the end of `year` (today without one)."""
        self.catch_up()
        on = year_end(year) if year is not None else self.today()
        with self.store.engine.connect() as conn:
            committees = load_committees(conn, on, within=committee_id)
            if committee_id is not None and committee_id not in committees:
                raise NotFound("committee_id", committee_id)
            return find_branches(
                conn,
                committees,
                on=on,
                year=year or on.year,
                committee_id=committee_id,
                name=name,
                sector=sector,
                tier=tier,
            )

    def committees(self, *, name: str | None = None, on: date | None = None) -> list[CommitteeRow]:
        """Find committees by a substring of their name, as they stood on a date."""
        self.catch_up()
        with self.store.engine.connect() as conn:
            return find_committees(conn, name, on or self.today())

    def liaison_coverage(self, committee_id: str, year: int) -> LiaisonCoverage:
        """`ledger.liaison_coverage` for a committee and year, with the uncovered names."""
        self.policy_for_year(year)
        self.catch_up()
        with self.store.engine.connect() as conn:
            if committee_id not in load_committees(conn, year_end(year)):
                raise NotFound("committee_id", committee_id)
            return liaison_coverage(conn, committee_id, year)
