"""The demo city: a small, deterministic, realistic Tai'an for trying guoying out.

Three city-managed committees (two county-level district committees and the committee of
the city's organs), eleven base committees (one of them under an intermediate committee),
about two hundred branches across every sector, and 2017-2019 with first assessments,
creation targets, liaisons, rectification cases, common problems, annual evaluations and
one approved exception to the advanced cap; and the selection years 2017 and 2018 of the
red-flag branches, with competitive rounds at every level, consultation, notices, titles,
proposals with their Annex 3 facts, the city's naming and grants, a veto, an objection
upheld, a rehabilitation, a revocation, a downgrade and a few refusals. Everything is
synthetic; names are composed from common place-name parts and surnames (no unit or branch
name in two base committees), telephone numbers are not real. Creation targets climb a
step a year to the middle tier or hold, so that no committee aims above
`ledger.advanced_cap`; two clerks' mistakes on the tiers are refused, one by the cap and
one by jurisdiction.

Then the plans of 2017-2019 (implementation plans reviewed, one returned and one late; a
cultivation plan per city-managed committee, one late) and the supervision, findings,
linkage decisions and funds of those years.

`layout` holds the committees, units, people and branches (named by `names`); `decisions`
the years of work on them; `ledger_refusals` the clerks' two mistakes and the ledger's
summary; `selection_years` the two selection years, written round by round by `selection`
(in the words of `selection_text`) and run by `selection_summary`, which also counts what
each year came to; `plans` and `oversight` (in the words of `oversight_text`) the plans and
the oversight, run and summed up by `work_summary`; `building` puts them into a store, in an
order fixed by one seed.
"""

from __future__ import annotations

from guoying.demo_city.building import Built, OtherCityError, build, is_built
from guoying.demo_city.decisions import SHOWN_YEAR
from guoying.demo_city.layout import SHOWN_COMMITTEE, SUMMARY_COMMITTEES

# The secretary's figures (§8) the demo prints: a district's, for the year of its mentoring.
ASSESSED = ("taishan", 2018)

__all__ = [
    "ASSESSED",
    "SHOWN_COMMITTEE",
    "SHOWN_YEAR",
    "SUMMARY_COMMITTEES",
    "Built",
    "OtherCityError",
    "build",
    "is_built",
]
