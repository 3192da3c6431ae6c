"""The replay's HPA semantics on tiny traces checked by hand, and the frontier's interpolation."""

from __future__ import annotations

import numpy as np
import pytest

from tenantctl.forecast.simulate import Frontier, Outcome, replay

H = 1 / 12  # 5-minute steps, in hours
ONE = dict(capacity=1.0, target=1.0, min_replicas=1, max_replicas=100, step_hours=H)


def counts(outcome: Outcome) -> list[int]:
    return [int(x) for x in outcome.replicas]


def test_steady_demand_costs_replica_hours() -> None:
    out = replay(np.array([10.0, 10.0, 10.0]), previous_demand=10.0, **ONE)  # type: ignore[arg-type]
    assert counts(out) == [10, 10, 10]
    assert out.under == 0
    assert out.cost == pytest.approx(30 * H)


def test_hpa_sees_the_previous_step() -> None:
    out = replay(np.array([10.0, 20.0, 20.0]), previous_demand=10.0, **ONE)  # type: ignore[arg-type]
    assert counts(out) == [10, 10, 20]  # the jump at step 1 is seen at step 2
    assert out.under == 1


def test_desired_is_ceil_of_demand_over_capacity_times_target() -> None:
    out = replay(np.array([10.0, 10.0]), previous_demand=10.0, capacity=3.0, target=0.5,
                 min_replicas=1, max_replicas=100, step_hours=H)
    assert counts(out) == [7, 7]  # ceil(10 / 1.5)


def test_ten_percent_tolerance_keeps_the_count() -> None:
    out = replay(np.array([10.5, 10.5, 12.0, 12.0]), previous_demand=10.0, **ONE)  # type: ignore[arg-type]
    # 10.5 / 10 = 1.05 is within tolerance: stays at 10 and is under-provisioned; 12 / 10 = 1.2 scales
    assert counts(out) == [10, 10, 10, 12]
    assert out.under == 3


def test_scale_down_is_stabilised_for_one_step() -> None:
    out = replay(np.array([10.0, 10.0, 10.0, 10.0]), previous_demand=20.0, **ONE)  # type: ignore[arg-type]
    assert counts(out) == [20, 20, 10, 10]


def test_under_provisioned_means_demand_above_replicas_times_capacity() -> None:
    out = replay(np.array([10.0, 10.0]), previous_demand=10.0, capacity=1.0, target=1.0,
                 min_replicas=1, max_replicas=8, step_hours=H)
    assert counts(out) == [8, 8]  # clamped at max_replicas
    assert out.under == 2


def test_schedule_floor_is_max_with_hpa() -> None:
    out = replay(np.array([1.0, 1.0, 1.0, 1.0]), previous_demand=1.0, floor=np.array([5, 5, 1, 1]),
                 **ONE)  # type: ignore[arg-type]
    assert counts(out) == [5, 5, 5, 1]  # floor, then one step of scale-down stabilisation


def test_floor_ahead_of_a_jump_prevents_under_provisioning() -> None:
    demand = np.array([10.0, 10.0, 40.0, 40.0])
    reactive = replay(demand, previous_demand=10.0, **ONE)  # type: ignore[arg-type]
    predictive = replay(demand, previous_demand=10.0, floor=np.array([1, 1, 40, 40]), **ONE)  # type: ignore[arg-type]
    assert reactive.under == 1 and predictive.under == 0


def test_gaps_keep_the_count_and_are_not_scored() -> None:
    out = replay(np.array([10.0, np.nan, 30.0]), previous_demand=10.0, **ONE)  # type: ignore[arg-type]
    assert counts(out) == [10, 10, 10]
    assert out.steps == 2 and out.under == 1


def test_frontier_interpolates_at_equal_cost() -> None:
    def point(cost: float, under: int) -> Outcome:
        return Outcome("x", np.array([1]), cost, under, 100)

    front = Frontier((0.9, 0.5), (point(100.0, 40), point(200.0, 10)))
    assert front.under_at(150.0) == (25.0, True)
    assert front.under_at(300.0) == (10.0, False)
