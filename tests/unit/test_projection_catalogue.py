"""Every view is known by its name, version and tables before its projector is imported,
and the projector it imports on its first event is the one of that name and version."""

from __future__ import annotations

import pytest

from guoying.adapters.serialization import event_type
from guoying.domain.catalogue import EVENT_TYPES
from guoying.projections.catalogue import PROJECTIONS, Deferred


@pytest.mark.parametrize("known", PROJECTIONS, ids=[p.name for p in PROJECTIONS])
def test_a_deferred_projection_is_its_projectors_name_version_and_tables(known: Deferred) -> None:
    projector = known.projection
    assert (projector.name, projector.version) == (known.name, known.version)
    assert projector.metadata is known.metadata


def test_the_views_have_names_of_their_own() -> None:
    assert len({p.name for p in PROJECTIONS}) == len(PROJECTIONS)


@pytest.mark.parametrize("topic", sorted(EVENT_TYPES))
def test_every_stored_event_name_decodes_to_the_catalogues_type(topic: str) -> None:
    assert event_type(topic) is EVENT_TYPES[topic]


def test_an_unknown_event_name_is_not_decoded() -> None:
    with pytest.raises(KeyError):
        event_type("NoSuchEvent")
