"""What a branch or the city would publish (`publicity.platform`), read from the views."""

from __future__ import annotations

from datetime import datetime

from guoying.api.ledger import LedgerReads
from guoying.api.mentoring import MentoringReads
from guoying.api.selection import SelectionReads
from guoying.application.errors import NotFound, OutOfRange
from guoying.domain.values import year_end
from guoying.projections.publicity import (
    BranchProgress,
    RedFlagColumn,
    branch_progress,
    red_flag_column,
)
from guoying.projections.selection.form import NominationForm


class PublicityReads(LedgerReads, SelectionReads, MentoringReads):
    def branch_progress(
        self, branch_id: str, year: int, *, as_known_at: datetime | None = None
    ) -> BranchProgress:
        """A branch's progress in `year` as it would publish it on the province's platform
        (灯塔—党建在线): its tier, target and result, problems and measures, rectification,
        title and mentoring, from its ledger row at the year's end; nothing personal."""
        # Only this read loads a branch's aggregate: its module is imported here, not by
        # every read.
        from guoying.domain.branch import branch_key

        branch = self.store.get(branch_key(branch_id))
        if branch is None:
            raise NotFound("branch_id", branch_id)
        base = branch.base_on(year_end(year))
        ledger = self.ledger(base, year, as_known_at=as_known_at)
        row = next((r for r in ledger.rows if r.branch_id == branch_id), None)
        if row is None:
            raise OutOfRange("branch_id", f"{branch_id!r} was not active at the end of {year}")
        register = self.titles(year, as_known_at=as_known_at)
        title = next((e for e in register.held if e.branch_id == branch_id), None)
        pairs = self.mentoring(base, year, as_known_at=as_known_at).pairs
        live = [p for p in pairs if p.active]
        mentees = [
            p.mentee_name or p.mentee_branch_id for p in live if p.mentor_branch_id == branch_id
        ]
        mentors = [
            p.mentor_name or p.mentor_branch_id for p in live if p.mentee_branch_id == branch_id
        ]
        return branch_progress(
            row,
            ledger.committee.name,
            year,
            title,
            mentees=tuple(mentees),
            mentor=mentors[0] if mentors else None,
        )

    def red_flag_column(self, year: int, *, as_known_at: datetime | None = None) -> RedFlagColumn:
        """The city media's column on red-flag branches (红旗支部风采) for `year`: every title
        held at its end, Taishan Pioneers first, with the main deeds of their Annex 3 form."""
        self.policy_for_year(year)
        register = self.titles(year, as_known_at=as_known_at)
        forms: dict[str, NominationForm] = {}
        for entry in register.held:
            try:
                forms[entry.nomination_id] = self.form(entry.nomination_id, as_known_at=as_known_at)
            except NotFound:
                continue  # a committee-level title has no Annex 3 form of its own
        return red_flag_column(register, forms)
