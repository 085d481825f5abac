"""The demo city: a small, deterministic, realistic Tai'an for trying guoying out.

Three city-managed committees (two county-level district committees and the committee of
the city's organs), eleven base committees (one of them under an intermediate committee),
about two hundred branches across every sector, and 2017-2019 with first assessments,
creation targets, liaisons, rectification cases, common problems, annual evaluations and
one approved exception to the advanced cap. Everything is synthetic; names are composed
from common place-name parts and surnames, telephone numbers are not real.

`layout` holds the committees, units, people and branches; `decisions` the years of work
on them; `building` puts them into a store, in an order fixed by one seed.
"""

from __future__ import annotations

from guoying.demo_city.building import OtherCityError, build, is_built
from guoying.demo_city.decisions import SHOWN_YEAR
from guoying.demo_city.layout import SHOWN_COMMITTEE, SUMMARY_COMMITTEES

__all__ = [
    "SHOWN_COMMITTEE",
    "SHOWN_YEAR",
    "SUMMARY_COMMITTEES",
    "OtherCityError",
    "build",
    "is_built",
]
