"""Value objects shared by every aggregate."""

from __future__ import annotations

import enum
from datetime import date

from attrs import field, frozen

from guoying.domain.rules import RuleId


class Tier(enum.StrEnum):
    """A branch's standing in the ledger (`ledger.tiers`)."""

    ADVANCED = "ADVANCED"
    MIDDLE = "MIDDLE"
    LAGGING = "LAGGING"
    WEAK = "WEAK"


class Sector(enum.StrEnum):
    """The field a branch belongs to, declared in the ledger's row order."""

    RURAL = "RURAL"
    URBAN_COMMUNITY = "URBAN_COMMUNITY"
    PUBLIC_INSTITUTION = "PUBLIC_INSTITUTION"
    STATE_OWNED_ENTERPRISE = "STATE_OWNED_ENTERPRISE"
    NON_PUBLIC_ENTERPRISE = "NON_PUBLIC_ENTERPRISE"
    SOCIAL_ORGANIZATION = "SOCIAL_ORGANIZATION"
    OTHER = "OTHER"

    @property
    def order(self) -> int:
        return list(Sector).index(self)


class CommitteeLevel(enum.StrEnum):
    """Where a committee stands in the tree (`org.hierarchy`)."""

    CITY = "CITY"
    ORGANIZATION_DEPARTMENT = "ORGANIZATION_DEPARTMENT"
    CITY_MANAGED = "CITY_MANAGED"
    INTERMEDIATE = "INTERMEDIATE"
    BASE = "BASE"


class UnitKind(enum.StrEnum):
    """What kind of unit a branch serves (`org.unit`)."""

    VILLAGE = "VILLAGE"
    COMMUNITY = "COMMUNITY"
    ORGAN = "ORGAN"
    INSTITUTION = "INSTITUTION"
    ENTERPRISE = "ENTERPRISE"
    ORGANIZATION = "ORGANIZATION"
    OTHER = "OTHER"


class TitleLevel(enum.StrEnum):
    """Who conferred a red-flag title (`selection.title_levels`): a city-managed committee
    (红旗党支部) or the city committee (泰山先锋, Taishan Pioneer)."""

    COMMITTEE = "COMMITTEE"
    CITY = "CITY"


class SelectionStep(enum.StrEnum):
    """The recorded steps before a deciding committee decides its list
    (`selection.timeline`): the base committee's secretary's report (述职) and members' and
    public evaluation (测评推荐), the city-managed committee's on-site inspection (实地考察)."""

    SECRETARY_REPORT = "SECRETARY_REPORT"
    MEMBER_EVALUATION = "MEMBER_EVALUATION"
    SITE_INSPECTION = "SITE_INSPECTION"


class AwardLevel(enum.StrEnum):
    """The level of an award a branch received, lowest first (`selection.priority`)."""

    COUNTY = "COUNTY"
    CITY = "CITY"
    PROVINCIAL = "PROVINCIAL"
    NATIONAL = "NATIONAL"

    @property
    def rank(self) -> int:
        return list(AwardLevel).index(self)


class VetoPeriod(enum.StrEnum):
    """How long a veto finding is in effect (`selection.veto`): the calendar year it was
    found in, that year and the next, or a span the finding states."""

    CALENDAR_YEAR = "CALENDAR_YEAR"
    YEAR_AND_NEXT = "YEAR_AND_NEXT"
    STATED_SPAN = "STATED_SPAN"


class FieldValueError(ValueError):
    """A value a field's validator refused; `field` names the field, `problem` says why."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field} {problem}")
        self.field = field
        self.problem = problem


class BlankValue(FieldValueError):
    """A text field that must say something was blank."""

    def __init__(self, field: str) -> None:
        super().__init__(field, "must not be blank")


def non_blank(_: object, attribute: object, value: str) -> None:
    """An attrs validator: the text must not be blank."""
    if not value.strip():
        raise BlankValue(getattr(attribute, "name", "value"))


@frozen
class Actor:
    """Who decides: a person acting for a committee in a role.

    The library trusts the actor it is given; processes and imports act as a named
    system actor on behalf of the committee whose decision they carry out (rules.md 9a).
    """

    person_id: str = field(validator=non_blank)
    committee_id: str = field(validator=non_blank)
    role: str = ""


@frozen
class CapException:
    """An approved exception to `ledger.advanced_cap` for one committee."""

    committee_id: str = field(validator=non_blank)
    justification: str = field(validator=non_blank)
    approved_by: Actor


@frozen
class Authority:
    """On whose authority a decision was taken: the rules applied and the policy version."""

    rule_ids: tuple[RuleId, ...]
    policy_version: str
    cap_exceptions: tuple[CapException, ...] = ()


@frozen
class Decision:
    """The metadata every event carries, gathered once per command."""

    actor: Actor
    reason: str = field(validator=non_blank)
    effective_on: date
    authority: Authority


def year_end(year: int) -> date:
    return date(year, 12, 31)
