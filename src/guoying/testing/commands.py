"""A strategy for every command type of `COMMAND_TYPES`, derived from its attrs fields.

`command_strategy_for(AdjustTier)` and its snake-case name `adjust_tier_commands` are one
`CommandStrategy`: each field is drawn by its name and type (`guoying.testing.fields`), ids
from the pools you pass (`committee_ids`, `branch_ids`, `unit_ids`, `person_ids`,
`case_ids`: a sequence, a strategy, or None for arbitrary ids), `year` in the policy's
years and `effective_on` in the decision's year. Any field can be given its own strategy
(or a sequence to sample) by its name or its plural: `tiers=st.just(Tier.ADVANCED)`,
`to_committee_ids=["base-b"]`, `actors=st.just(actor)`::

    from hypothesis import given
    from guoying.testing import strategies as gs

    @given(gs.adjust_tier_commands(branch_ids=["b1", "b2"], committee_ids=["base-a"]))
    def test_an_adjustment_names_its_rules(command):
        ...

A command type added to the library has its strategy here with no edit: it is in
`COMMAND_STRATEGIES` under its snake-case name, served by this module's `__getattr__`.
The names below are the same objects, spelt out only so that type checkers see each
command's own type.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar, cast

import attrs
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from guoying.application.catalogue import COMMAND_TYPES
from guoying.application.commands import (
    AdjustTier,
    AllotPlaces,
    AnswerConsultation,
    ApplyForSelection,
    AppointLeader,
    ApproveCapException,
    AssessRehabilitation,
    AssignLiaison,
    Command,
    CorrectRecord,
    DecideRoundList,
    DissolveBranch,
    DissolveCommittee,
    DowngradeTitle,
    EndLeadership,
    ErasePerson,
    FinaliseList,
    GrantReward,
    MergeBranches,
    MergeCommittees,
    MoveBranch,
    MoveCommittee,
    NewBranch,
    PublishNotice,
    PublishPolicy,
    RecordAward,
    RecordCommonProblem,
    RecordDossier,
    RecordProblem,
    RecordSelectionStep,
    RecordVetoFinding,
    RegisterBranch,
    RegisterCommittee,
    RegisterPerson,
    RegisterUnit,
    RenameBranch,
    RenameCommittee,
    RevokeTitle,
    SetCreationTarget,
    SetRoundPlaces,
    SignOffRectification,
    SplitBranch,
    SubmitProposals,
    UpholdObjection,
    VetoNomination,
)
from guoying.domain.branch import branch_aggregate_id
from guoying.domain.policy import TAIAN_2017, Policy
from guoying.domain.values import Actor, Tier
from guoying.testing import values as v
from guoying.testing.city import CityLayout
from guoying.testing.fields import Builder, Ids, derive
from guoying.testing.values import IdSource

__all__ = [
    "COMMAND_STRATEGIES",
    "CommandStrategy",
    "approved_cap_exceptions",
    "cap_exception_sets",
    "command_strategy_for",
    "commands",
    "new_branches",
    "strategy_name",
]

C = TypeVar("C", bound=Command)
FieldSource = SearchStrategy[Any] | Sequence[Any] | None

# Whose actor decides by default: the committee a field names (its own secretary), for the
# commands whose rule wants that committee itself (`ledger.tiers`) or its parent.
_OWN_ACTOR: dict[type[Command], Callable[[Mapping[str, Any]], str]] = {
    RegisterBranch: lambda f: str(f["base_committee_id"]),
    RegisterUnit: lambda f: str(f["committee_id"]),
    RecordCommonProblem: lambda f: str(f["committee_id"]),
    RegisterCommittee: lambda f: str(f["parent_id"] or f["committee_id"]),
}
# Keywords that are not a field's name or its plural.
_ALIASES = {"receiving_actors": "receiving_decision_by", "policies": "policy", "actors": "actor"}
_POOLS = ("committee_ids", "branch_ids", "unit_ids", "person_ids", "case_ids")


def strategy_name(command_type: type[Command]) -> str:
    """`AdjustTier` -> "adjust_tier_commands"."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", command_type.__name__).lower() + "_commands"


def _one_kind_of_fact(draw: st.DrawFn, values: dict[str, Any]) -> dict[str, Any]:
    """A correction gives the values of one kind of fact (CorrectRecord's docstring)."""
    kinds = {
        "tier": ("tier",),
        "target": ("target",),
        "problem": ("problem", "measure", "deadline", "owner_id"),
        "liaison": ("person_id", "position"),
    }
    kind = draw(st.sampled_from(sorted(kinds)), label="corrects a")
    for name in ("tier", "target", "problem", "measure", "deadline", "owner_id", "person_id"):
        if name not in kinds[kind]:
            values[name] = None
    values["position"] = values["position"] if kind == "liaison" else None
    wanted = kinds[kind] if kind != "problem" else ("problem",)
    for name in wanted:
        if values[name] is None:
            values[name] = draw(_FACT_VALUES[name], label=name)
    return values


_FACT_VALUES: dict[str, SearchStrategy[Any]] = {
    "tier": v.tiers(),
    "target": v.tiers(),
    "problem": v.texts(),
    "person_id": v.person_ids(),
    "position": v.positions(),
}
_SHAPES: dict[type[Command], Callable[[st.DrawFn, dict[str, Any]], dict[str, Any]]] = {
    CorrectRecord: _one_kind_of_fact
}


def new_branches(
    *,
    branch_ids: IdSource = None,
    unit_ids: IdSource = None,
    tiers: SearchStrategy[Tier] | None = None,
) -> SearchStrategy[NewBranch]:
    """A branch founded by a split (`NewBranch`), with its first assessment."""
    overrides: dict[str, Builder] = {}
    if tiers is not None:
        overrides["tier"] = tiers
    return derive(NewBranch, Ids(branch_ids=branch_ids, unit_ids=unit_ids), overrides)


class CommandStrategy(Generic[C]):
    """The strategy of one command type, called with the ids and fields it should use."""

    def __init__(self, command_type: type[C]) -> None:
        self.command_type = command_type
        self.__name__ = strategy_name(command_type)
        self.__doc__ = f"`{command_type.__name__}`: {command_type.__doc__ or ''}".strip()
        self._built: dict[object, SearchStrategy[C]] = {}

    def __repr__(self) -> str:
        return f"CommandStrategy({self.command_type.__name__})"

    def __call__(
        self,
        *,
        committee_ids: IdSource = None,
        branch_ids: IdSource = None,
        unit_ids: IdSource = None,
        person_ids: IdSource = None,
        case_ids: IdSource = None,
        units_by_committee: Mapping[str, Sequence[str]] | None = None,
        policy: Policy = TAIAN_2017,
        **fields: FieldSource,
    ) -> SearchStrategy[C]:
        """Commands over these ids; `fields` gives a field (by name or plural) its own
        strategy or sequence. `units_by_committee` (base committee -> its unit ids) draws
        a base committee and its own units together."""
        ids = Ids(committee_ids, branch_ids, unit_ids, person_ids, case_ids, policy)
        return self.over(ids, units_by_committee, **fields)

    def over(
        self,
        ids: Ids,
        units_by_committee: Mapping[str, Sequence[str]] | None = None,
        **fields: FieldSource,
    ) -> SearchStrategy[C]:
        """Commands over the ids (and policy) `ids` gives, as calling the strategy does."""
        try:
            key = (ids, tuple(sorted(fields.items())), _frozen(units_by_committee))
            hash(key)
        except TypeError:  # a list of ids: build it each time
            return self._build(ids, fields, units_by_committee)
        if key not in self._built:
            self._built[key] = self._build(ids, fields, units_by_committee)
        return self._built[key]

    def _build(
        self,
        ids: Ids,
        given: Mapping[str, FieldSource],
        units_by_committee: Mapping[str, Sequence[str]] | None,
    ) -> SearchStrategy[C]:
        field_names = {f.name for f in attrs.fields(self.command_type)}
        overrides: dict[str, Builder] = {}
        nested: dict[str, FieldSource] = {}
        for keyword, source in given.items():
            if keyword == "cap_exceptions":
                raise TypeError(
                    "commands carry no cap_exceptions any more: an exception is the "
                    "parent's own ApproveCapException (see approved_cap_exceptions)"
                )
            target = _ALIASES.get(keyword, keyword)
            if target not in field_names and target.endswith("s") and target[:-1] in field_names:
                target = target[:-1]
            if target in field_names and source is not None:
                overrides[target] = v.sampled(source)
            elif keyword in ("new_branch_ids", "tiers", "versions") and target not in field_names:
                nested[keyword] = source
            elif target not in field_names:
                raise TypeError(
                    f"{self.__name__}() has no field {keyword!r}; its fields: "
                    f"{', '.join(sorted(field_names))}"
                )
        if "new_branches" in field_names and "new_branches" not in overrides:
            founded = new_branches(
                branch_ids=cast(IdSource, nested.get("new_branch_ids")),
                unit_ids=ids.unit_ids,
                tiers=_maybe_strategy(nested.get("tiers")),
            )
            overrides["new_branches"] = st.lists(
                founded, min_size=1, max_size=3, unique_by=lambda n: n.branch_id
            ).map(tuple)
        versions = _maybe_strategy(nested.get("versions"))
        if versions is not None and "corrects" not in overrides:
            overrides["corrects"] = lambda d: versions.map(
                lambda n: f"{branch_aggregate_id(str(d.values['branch_id']))}@{n}"
            )
        if units_by_committee:
            bases = sorted(units_by_committee)
            overrides.setdefault("base_committee_id", st.sampled_from(bases))
            overrides["unit_ids"] = lambda d: st.lists(
                st.sampled_from(list(units_by_committee[str(d.values["base_committee_id"])])),
                min_size=1,
                max_size=3,
                unique=True,
            ).map(tuple)
        if "actor" not in overrides:
            overrides["actor"] = self._default_actor(ids)
        return derive(self.command_type, ids, overrides, shape=_SHAPES.get(self.command_type))

    def _default_actor(self, ids: Ids) -> Builder:
        own = _OWN_ACTOR.get(self.command_type)
        if own is None:
            return v.actors(committee_ids=ids.committee_ids)
        return lambda d: v.own_actor(own(d.values))


def _maybe_strategy(source: FieldSource) -> SearchStrategy[Any] | None:
    return None if source is None else v.sampled(source)


def _frozen(mapping: Mapping[str, Sequence[str]] | None) -> object:
    if mapping is None:
        return None
    return tuple(sorted((k, tuple(ids)) for k, ids in mapping.items()))


COMMAND_STRATEGIES: dict[str, CommandStrategy[Any]] = {
    strategy_name(t): CommandStrategy(t) for t in COMMAND_TYPES.values()
}
"""Every command type's strategy, by its snake-case name ("adjust_tier_commands")."""


def _of(command_type: type[C]) -> CommandStrategy[C]:
    return cast(CommandStrategy[C], COMMAND_STRATEGIES[strategy_name(command_type)])


def __getattr__(name: str) -> CommandStrategy[Command]:
    # A command type added later is served by its snake-case name without an edit here.
    try:
        return COMMAND_STRATEGIES[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def command_strategy_for(
    command_type: type[C],
    *,
    committee_ids: IdSource = None,
    branch_ids: IdSource = None,
    unit_ids: IdSource = None,
    person_ids: IdSource = None,
    case_ids: IdSource = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[C]:
    """The strategy for one command type of `COMMAND_TYPES`, over the given ids."""
    ids = Ids(committee_ids, branch_ids, unit_ids, person_ids, case_ids, policy)
    return _of(command_type).over(ids)


def commands(*, policy: Policy = TAIAN_2017, **ids: IdSource) -> SearchStrategy[Command]:
    """Any command of `COMMAND_TYPES`, over the ids `command_strategy_for` takes
    (`committee_ids`, `branch_ids`, `unit_ids`, `person_ids`, `case_ids`; arbitrary ids when
    left out)."""
    return st.one_of(
        *(command_strategy_for(t, policy=policy, **ids) for t in COMMAND_TYPES.values())
    )


# ---------------------------------------------------------------------------------------
# The parent's exception to ledger.advanced_cap


def approved_cap_exceptions(
    city: CityLayout,
    committee_ids: Sequence[str],
    *,
    years: SearchStrategy[int] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[tuple[ApproveCapException, ...]]:
    """One properly approved exception per committee (`ledger.advanced_cap`), each the
    parent's own `ApproveCapException` (the Organization Department's for a city-managed
    committee), for one year: put them in the unit of the decision that needs them."""
    parts: list[SearchStrategy[ApproveCapException]] = []
    for committee_id in committee_ids:
        approver = city.approver_of(committee_id)
        if approver is None:
            raise ValueError(f"{committee_id!r} has no approver in this city")
        parts.append(_approval(committee_id, st.just(city.secretary(approver)), years, policy))
    return st.tuples(*parts)


def _approval(
    committee_id: str,
    actor: SearchStrategy[Actor],
    years: SearchStrategy[int] | None,
    policy: Policy,
) -> SearchStrategy[ApproveCapException]:
    return approve_cap_exception_commands(
        committee_ids=[committee_id], actors=actor, years=years, policy=policy
    )


def cap_exception_sets(
    city: CityLayout,
    committee_ids: Sequence[str],
    *,
    years: SearchStrategy[int] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[tuple[ApproveCapException, ...]]:
    """The approvals a unit may carry for these committees: none, all by the right
    approver, all by a wrong committee (refused, `org.jurisdiction`), or a mix."""
    committee_ids = list(committee_ids)
    if not committee_ids:
        return st.just(())

    def wrongly(committee_id: str) -> SearchStrategy[ApproveCapException]:
        right = city.approver_of(committee_id)
        wrong = [c for c in city.committee_ids if c != right]
        return _approval(committee_id, st.sampled_from(wrong).map(city.secretary), years, policy)

    def one(committee_id: str) -> SearchStrategy[tuple[ApproveCapException, ...]]:
        return st.one_of(
            st.just(()),
            approved_cap_exceptions(city, [committee_id], years=years, policy=policy),
            wrongly(committee_id).map(lambda e: (e,)),
        )

    mixed = st.tuples(*(one(c) for c in committee_ids)).map(
        lambda parts: tuple(e for part in parts for e in part)
    )
    return st.one_of(
        st.just(()),
        approved_cap_exceptions(city, committee_ids, years=years, policy=policy),
        st.tuples(*(wrongly(c) for c in committee_ids)),
        mixed,
    )


# Each command type's strategy by its own name, typed (the same objects as the table's).
adjust_tier_commands = _of(AdjustTier)
appoint_leader_commands = _of(AppointLeader)
approve_cap_exception_commands = _of(ApproveCapException)
assign_liaison_commands = _of(AssignLiaison)
correct_record_commands = _of(CorrectRecord)
dissolve_branch_commands = _of(DissolveBranch)
dissolve_committee_commands = _of(DissolveCommittee)
end_leadership_commands = _of(EndLeadership)
erase_person_commands = _of(ErasePerson)
merge_branches_commands = _of(MergeBranches)
merge_committees_commands = _of(MergeCommittees)
move_branch_commands = _of(MoveBranch)
move_committee_commands = _of(MoveCommittee)
publish_policy_commands = _of(PublishPolicy)
record_common_problem_commands = _of(RecordCommonProblem)
record_problem_commands = _of(RecordProblem)
register_branch_commands = _of(RegisterBranch)
register_committee_commands = _of(RegisterCommittee)
register_person_commands = _of(RegisterPerson)
register_unit_commands = _of(RegisterUnit)
rename_branch_commands = _of(RenameBranch)
rename_committee_commands = _of(RenameCommittee)
set_creation_target_commands = _of(SetCreationTarget)
sign_off_rectification_commands = _of(SignOffRectification)
split_branch_commands = _of(SplitBranch)
# The annual selection (§5, Annex 3)
allot_places_commands = _of(AllotPlaces)
answer_consultation_commands = _of(AnswerConsultation)
apply_for_selection_commands = _of(ApplyForSelection)
assess_rehabilitation_commands = _of(AssessRehabilitation)
decide_round_list_commands = _of(DecideRoundList)
downgrade_title_commands = _of(DowngradeTitle)
finalise_list_commands = _of(FinaliseList)
grant_reward_commands = _of(GrantReward)
publish_notice_commands = _of(PublishNotice)
record_award_commands = _of(RecordAward)
record_dossier_commands = _of(RecordDossier)
record_selection_step_commands = _of(RecordSelectionStep)
record_veto_finding_commands = _of(RecordVetoFinding)
revoke_title_commands = _of(RevokeTitle)
set_round_places_commands = _of(SetRoundPlaces)
submit_proposals_commands = _of(SubmitProposals)
uphold_objection_commands = _of(UpholdObjection)
veto_nomination_commands = _of(VetoNomination)

__all__ += list(COMMAND_STRATEGIES)
