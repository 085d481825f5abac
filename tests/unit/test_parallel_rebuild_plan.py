"""How a rebuild is split among processes: how many, and which projections each takes."""

from __future__ import annotations

import pickle

import pytest

from guoying.application.errors import OutOfRange
from guoying.projections.catalogue import PROJECTIONS
from guoying.projections.parallel import cores, groups, parallel_from, worker_count


def test_the_projections_split_into_groups_of_about_equal_weight_the_heaviest_first() -> None:
    split = groups(PROJECTIONS, 2)
    weights = [sum(p.weight for p in group) for group in split]  # type: ignore[attr-defined]

    assert sorted(p.name for group in split for p in group) == sorted(p.name for p in PROJECTIONS)
    assert weights == sorted(weights, reverse=True)
    assert weights[0] - weights[1] <= min(p.weight for p in PROJECTIONS)  # type: ignore[attr-defined]


def test_a_small_store_rebuilds_in_one_process_unless_more_are_asked_for() -> None:
    assert worker_count(None, len(PROJECTIONS), parallel_from() - 1, load=0.0) == 1
    assert worker_count(2, len(PROJECTIONS), 10) == 2


def test_a_large_store_rebuilds_on_every_idle_core_and_in_one_process_on_a_busy_machine() -> None:
    large = parallel_from()
    assert worker_count(None, len(PROJECTIONS), large, load=0.0) == min(cores(), len(PROJECTIONS))
    assert worker_count(None, len(PROJECTIONS), large, load=float(cores())) == 1


def test_no_more_processes_rebuild_than_there_are_projections() -> None:
    assert worker_count(16, 3, parallel_from()) == 3


def test_fewer_than_one_process_is_refused_naming_the_field() -> None:
    with pytest.raises(OutOfRange, match=r"^workers: 0"):
        worker_count(0, len(PROJECTIONS), 10)


def test_a_projection_travels_to_another_process_by_its_modules_names() -> None:
    for projection in PROJECTIONS:
        back = pickle.loads(pickle.dumps(projection))
        assert (back.name, back.version, back.metadata) == (
            projection.name,
            projection.version,
            projection.metadata,
        )
