"""People: registered with their personal data kept apart, and erased (rules.md 9a)."""

from __future__ import annotations

from guoying.application.commands import ErasePerson, RegisterPerson
from guoying.application.errors import AlreadyExists, NotFound
from guoying.application.lookups import require_committee, require_tree
from guoying.application.ports import PersonalData
from guoying.application.registry import handles
from guoying.application.unit import Context
from guoying.domain import person as person_rules
from guoying.domain.exceptions import JurisdictionViolation
from guoying.domain.labels import ERASED
from guoying.domain.person import person_key
from guoying.domain.values import CommitteeLevel


@handles(RegisterPerson)
def register_person(ctx: Context, command: RegisterPerson) -> None:
    tree = require_tree(ctx)
    require_committee(tree, command.actor.committee_id, "actor.committee_id")
    if ctx.uow.get(person_key(command.person_id)) is not None:
        raise AlreadyExists("person_id", command.person_id)
    ctx.record(person_rules.register_person(ctx.decision, person_id=command.person_id))
    ctx.uow.personal_data.append(
        PersonalData(command.person_id, command.name.strip(), command.phone.strip())
    )


@handles(ErasePerson, "people.erasure", "org.jurisdiction")
def erase_person(ctx: Context, command: ErasePerson) -> None:
    tree = require_tree(ctx)
    acting = tree.at(ctx.decision.effective_on).get_active(command.actor.committee_id)
    if acting is None or acting.level is not CommitteeLevel.ORGANIZATION_DEPARTMENT:
        raise JurisdictionViolation(
            "only the city Organization Department erases personal data, not "
            f"{command.actor.committee_id!r}"
        )
    person = ctx.uow.get(person_key(command.person_id))
    if person is None:
        raise NotFound("person_id", command.person_id)
    ctx.record(person_rules.erase_personal_data(person, ctx.decision))
    ctx.uow.personal_data.append(PersonalData(command.person_id, ERASED, ERASED))
