"""Accountability, the linkage of standing to rewards and the funding of branches (§7, §8, §9).

- `accountability.falsification`: falsification found in a report, recorded against the
  reporting committee with the branches concerned; each is flagged for re-evaluation until
  an evaluation result for it is recorded later (the flag is read, not stored: ADR 009).
- `accountability.findings`: poor execution of decisions and major errors, recorded against
  a committee and, by id, the people responsible, with the issuing body and its decision.
- `reward.linkage`: a decision linking a branch's standing to a reward, with the tier it was
  based on, taken from the ledger; nothing is refused but authority and unknown ids.
- `resources.funding`: funds per committee, year and kind, in yuan (the §7 grant is read
  from the selection's `RewardGranted`, not recorded twice).

Each record is a stream of its own (`falsification:ID`, `accountability:ID`, `linkage:ID`,
`funding:ID`).
"""

from __future__ import annotations

import enum
from datetime import date

from attrs import define, frozen

from guoying.domain.events import DomainEvent, Streams, stamp
from guoying.domain.exceptions import RuleViolation
from guoying.domain.policy import Policy
from guoying.domain.rules import RuleId
from guoying.domain.values import Decision, Tier


class FindingKind(enum.StrEnum):
    """What a committee is held to account for (严肃问责, `accountability.findings`)."""

    POOR_EXECUTION = "POOR_EXECUTION"  # 执行上级决策部署不力
    MAJOR_ERROR = "MAJOR_ERROR"  # 工作出现较大失误


class LinkageKind(enum.StrEnum):
    """What a branch's standing is linked to (挂钩, `reward.linkage`)."""

    ALLOWANCE = "ALLOWANCE"  # 农村和城市社区党组织书记补贴待遇
    COMMENDATION = "COMMENDATION"  # 评先树优
    PARTY_BUILDING_FUNDS = "PARTY_BUILDING_FUNDS"  # 非公和社会组织党建工作经费
    RECRUITMENT_PLAN = "RECRUITMENT_PLAN"  # 发展党员计划
    DUES_TILT = "DUES_TILT"  # 党费使用适当倾斜
    CADRE_PREFERENCE = "CADRE_PREFERENCE"  # 干部使用优先考虑


class FundingKind(enum.StrEnum):
    """The funds §9 names (`resources.funding`)."""

    VILLAGE_OPERATING = "VILLAGE_OPERATING"  # 村级组织运转经费
    COMMUNITY_WORK = "COMMUNITY_WORK"  # 城市社区工作经费
    SERVICE_TO_PEOPLE = "SERVICE_TO_PEOPLE"  # 为民服务经费
    COMMITTEE_MEMBER_PAY = "COMMITTEE_MEMBER_PAY"  # "两委"成员报酬
    NON_PUBLIC_DEDICATED = "NON_PUBLIC_DEDICATED"  # 非公有制经济组织和社会组织党建工作专项经费


def _require_new(existing: object, rule_id: RuleId, what: str, record_id: str) -> None:
    if existing is not None:
        raise RuleViolation(rule_id, f"{what} {record_id!r} is already recorded", {"id": record_id})


def _require_text(rule_id: RuleId, **texts: str) -> None:
    for name, text in texts.items():
        if not text.strip():
            raise RuleViolation(rule_id, f"{name} must not be blank", {"field": name})


def _require_year(policy: Policy, year: int, rule_id: RuleId) -> None:
    if not policy.covers_year(year):
        raise RuleViolation(
            rule_id,
            f"year {year} is outside policy {policy.version} "
            f"({policy.first_year}-{policy.last_year})",
            {"year": year},
        )


def _require_each_once(rule_id: RuleId, name: str, ids: tuple[str, ...]) -> None:
    if len(set(ids)) != len(ids):
        raise RuleViolation(rule_id, f"{name} lists an id twice", {"field": name})


# Falsification


@define
class FalsificationRecord:
    id: str
    version: int
    finding_id: str
    committee_id: str
    year: int
    branch_ids: tuple[str, ...]
    found_on: date


falsification_key = Streams("falsification", FalsificationRecord).key


@frozen(kw_only=True)
class FalsificationFound(DomainEvent[FalsificationRecord]):
    """Falsification (弄虚作假) found in `committee_id`'s report for `year`, found by the
    actor's committee on `effective_on`; `branch_ids` are flagged for re-evaluation."""

    finding_id: str
    committee_id: str
    year: int
    report: str
    branch_ids: tuple[str, ...]

    def mutate(self, _: FalsificationRecord | None) -> FalsificationRecord:
        return FalsificationRecord(
            id=self.originator_id,
            version=self.originator_version,
            finding_id=self.finding_id,
            committee_id=self.committee_id,
            year=self.year,
            branch_ids=self.branch_ids,
            found_on=self.effective_on,
        )


def find_falsification(
    existing: FalsificationRecord | None,
    decision: Decision,
    policy: Policy,
    *,
    finding_id: str,
    committee_id: str,
    year: int,
    report: str,
    branch_ids: tuple[str, ...],
) -> FalsificationFound:
    rule: RuleId = "accountability.falsification"
    _require_new(existing, rule, "falsification finding", finding_id)
    _require_year(policy, year, rule)
    _require_text(rule, report=report)
    _require_each_once(rule, "branch_ids", branch_ids)
    return FalsificationFound(
        **stamp(decision, falsification_key(finding_id).id, 1),
        finding_id=finding_id,
        committee_id=committee_id,
        year=year,
        report=report.strip(),
        branch_ids=branch_ids,
    )


# Findings of poor execution and major errors


@define
class AccountabilityFinding:
    id: str
    version: int
    finding_id: str
    committee_id: str
    kind: FindingKind
    person_ids: tuple[str, ...]
    decided_on: date


accountability_key = Streams("accountability", AccountabilityFinding).key


@frozen(kw_only=True)
class AccountabilityFindingIssued(DomainEvent[AccountabilityFinding]):
    """A body above `committee_id` (the actor's, `issued_by`) holds it and `person_ids` to
    account for `kind`, with the `decision` taken on `effective_on`."""

    finding_id: str
    committee_id: str
    kind: FindingKind
    person_ids: tuple[str, ...]
    issued_by: str
    decision: str

    def mutate(self, _: AccountabilityFinding | None) -> AccountabilityFinding:
        return AccountabilityFinding(
            id=self.originator_id,
            version=self.originator_version,
            finding_id=self.finding_id,
            committee_id=self.committee_id,
            kind=self.kind,
            person_ids=self.person_ids,
            decided_on=self.effective_on,
        )


def issue_finding(
    existing: AccountabilityFinding | None,
    decision: Decision,
    *,
    finding_id: str,
    committee_id: str,
    kind: FindingKind,
    person_ids: tuple[str, ...],
    decision_taken: str,
) -> AccountabilityFindingIssued:
    rule: RuleId = "accountability.findings"
    _require_new(existing, rule, "finding", finding_id)
    _require_text(rule, decision=decision_taken)
    _require_each_once(rule, "person_ids", person_ids)
    return AccountabilityFindingIssued(
        **stamp(decision, accountability_key(finding_id).id, 1),
        finding_id=finding_id,
        committee_id=committee_id,
        kind=kind,
        person_ids=person_ids,
        issued_by=decision.actor.committee_id,
        decision=decision_taken.strip(),
    )


# Linkage of standing to rewards


@define
class LinkageDecision:
    id: str
    version: int
    decision_id: str
    branch_id: str
    year: int
    tier: Tier


linkage_key = Streams("linkage", LinkageDecision).key


@frozen(kw_only=True)
class RewardLinkageDecided(DomainEvent[LinkageDecision]):
    """A decision linking `branch_id`'s standing (or its `person_id`'s) for `year` to a
    reward of `kind`. `tier` is the branch's tier in effect for `year` in the ledger when
    decided, `evaluated` whether it was that year's evaluation result; `committee_id` is the
    branch's base committee on `effective_on`."""

    decision_id: str
    kind: LinkageKind
    branch_id: str
    person_id: str | None
    committee_id: str
    year: int
    tier: Tier
    evaluated: bool
    measure: str

    def mutate(self, _: LinkageDecision | None) -> LinkageDecision:
        return LinkageDecision(
            id=self.originator_id,
            version=self.originator_version,
            decision_id=self.decision_id,
            branch_id=self.branch_id,
            year=self.year,
            tier=self.tier,
        )


def decide_linkage(
    existing: LinkageDecision | None,
    decision: Decision,
    *,
    decision_id: str,
    kind: LinkageKind,
    branch_id: str,
    person_id: str | None,
    committee_id: str,
    year: int,
    tier: Tier | None,
    evaluated: bool,
    measure: str,
) -> RewardLinkageDecided:
    """Nothing is judged: the decision is recorded with the tier the ledger held. Only an id
    used twice, blank text or a year the branch has no tier for (before it was registered,
    so there is no standing to link) is refused."""
    rule: RuleId = "reward.linkage"
    _require_new(existing, rule, "linkage decision", decision_id)
    _require_text(rule, measure=measure)
    if tier is None:
        raise RuleViolation(
            rule,
            f"branch {branch_id!r} has no tier in the ledger for {year}: it was registered later",
            {"branch_id": branch_id, "year": year},
        )
    return RewardLinkageDecided(
        **stamp(decision, linkage_key(decision_id).id, 1),
        decision_id=decision_id,
        kind=kind,
        branch_id=branch_id,
        person_id=person_id,
        committee_id=committee_id,
        year=year,
        tier=tier,
        evaluated=evaluated,
        measure=measure.strip(),
    )


# Funding


@define
class FundingRecord:
    id: str
    version: int
    funding_id: str
    committee_id: str
    year: int
    kind: FundingKind
    amount_yuan: int


funding_key = Streams("funding", FundingRecord).key


@frozen(kw_only=True)
class FundingRecorded(DomainEvent[FundingRecord]):
    """`amount_yuan` of `kind` for `committee_id`'s branches in `year` (`resources.funding`)."""

    funding_id: str
    committee_id: str
    year: int
    kind: FundingKind
    amount_yuan: int

    def mutate(self, _: FundingRecord | None) -> FundingRecord:
        return FundingRecord(
            id=self.originator_id,
            version=self.originator_version,
            funding_id=self.funding_id,
            committee_id=self.committee_id,
            year=self.year,
            kind=self.kind,
            amount_yuan=self.amount_yuan,
        )


def record_funding(
    existing: FundingRecord | None,
    decision: Decision,
    policy: Policy,
    *,
    funding_id: str,
    committee_id: str,
    year: int,
    kind: FundingKind,
    amount_yuan: int,
) -> FundingRecorded:
    rule: RuleId = "resources.funding"
    _require_new(existing, rule, "funding", funding_id)
    _require_year(policy, year, rule)
    if amount_yuan <= 0:
        raise RuleViolation(
            rule,
            f"amount_yuan is a sum of money, more than 0, not {amount_yuan}",
            {"field": "amount_yuan"},
        )
    return FundingRecorded(
        **stamp(decision, funding_key(funding_id).id, 1),
        funding_id=funding_id,
        committee_id=committee_id,
        year=year,
        kind=kind,
        amount_yuan=amount_yuan,
    )
