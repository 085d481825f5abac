"""Reads of the annual selection: the board, the title register and the form (Annex 3)."""

from __future__ import annotations

from datetime import date, datetime

from guoying.api.core import Core
from guoying.application.errors import NotFound
from guoying.projections.selection.form import NominationForm, read_form
from guoying.projections.selection.queries import SelectionBoard, committee_known, read_board
from guoying.projections.selection.titles import TitleRegister, read_titles


class SelectionReads(Core):
    def selection_board(
        self,
        year: int,
        committee: str | None = None,
        *,
        as_known_at: datetime | None = None,
        as_of: date | None = None,
    ) -> SelectionBoard:
        """The board of a selection year (`selection.rounds`): each nomination's round,
        status, awaited answers, vetoes, objections and late steps; with `committee`, the
        nominations under its subtree or at its round.

        `as_known_at`: what the store held at that recorded time; `as_of`: the steps taken
        by that business date, as known now.
        """
        self.policy_for_year(year)
        self.catch_up()
        reading = self.reading(as_known_at, as_of)
        with self.store.engine.connect() as conn:
            if committee is not None and not committee_known(conn, committee):
                raise NotFound("committee_id", committee)
            return read_board(conn, year, committee, reading)

    def titles(
        self,
        year: int,
        *,
        as_known_at: datetime | None = None,
        as_of: date | None = None,
    ) -> TitleRegister:
        """The title register (`selection.annual_titles`, `title.revocation`): the titles
        named up to `year`, whichever year, held at its end (or on `as_of`), and those
        revoked or downgraded from its start to that date, as known at `as_known_at`."""
        self.catch_up()
        reading = self.reading(as_known_at, as_of)
        with self.store.engine.connect() as conn:
            return read_titles(conn, year, reading)

    def form(self, nomination_id: str, *, as_known_at: datetime | None = None) -> NominationForm:
        """The recommendation and approval form of a nomination (Annex 3, `selection.form`)
        with its four sealed, dated opinions, as known at `as_known_at`."""
        self.catch_up()
        reading = self.reading(as_known_at)
        with self.store.engine.connect() as conn:
            found = read_form(conn, nomination_id, reading)
        if found is None:
            raise NotFound("nomination_id", nomination_id)
        return found
