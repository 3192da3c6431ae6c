"""Replay a demand trace through Kubernetes HPA semantics (and KEDA's schedule floor).

The semantics, exactly (one step = one sample of the trace):

* Step ``t`` is served by ``replicas[t]``. The HPA deciding ``replicas[t]`` sees the
  *previous* step's demand ``demand[t-1]`` (metrics lag one step).
* Utilisation ratio ``r = demand[t-1] / (replicas[t-1] × capacity × target)``. Within the
  10 % tolerance (``|r - 1| ≤ 0.1``) the HPA keeps ``replicas[t-1]``; otherwise it
  recommends ``ceil(demand[t-1] / (capacity × target))``. A missing sample (gap) keeps
  the current count, as the HPA does when metrics are unavailable.
* Predictive (KEDA): the recommendation is ``max(HPA, schedule floor[t])``, then clamped
  to ``[min_replicas, max_replicas]``.
* Scale-down stabilisation of one step: scaling down never goes below the highest
  recommendation of the current and the previous step. Scale-up is immediate.
* Step ``t`` is under-provisioned when ``demand[t] > replicas[t] × capacity``. Cost is
  replica-hours: ``Σ replicas[t] × step``.

Reactive HPA at several targets traces a cost / under-provisioning frontier; the
predictive point is compared with the frontier linearly interpolated at equal cost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

TOLERANCE = 0.1
FRONTIER_TARGETS: tuple[float, ...] = (
    0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0,
)


@dataclass(frozen=True)
class Outcome:
    """One strategy replayed over the evaluation window."""

    name: str
    replicas: np.ndarray
    cost: float  # replica-hours
    under: int  # under-provisioned steps
    steps: int  # steps with an observed demand

    @property
    def under_fraction(self) -> float:
        return self.under / self.steps if self.steps else 0.0


def replay(
    demand: np.ndarray,
    *,
    capacity: float,
    target: float,
    min_replicas: int,
    max_replicas: int,
    step_hours: float,
    previous_demand: float | None = None,
    floor: np.ndarray | None = None,
    name: str = "hpa",
) -> Outcome:
    """HPA (optionally with a KEDA schedule floor) over ``demand``; see the module docstring."""
    if capacity <= 0 or not 0 < target <= 1:
        raise ValueError("capacity must be > 0 and target in (0, 1]")
    if min_replicas < 1 or max_replicas < min_replicas:
        raise ValueError("need 1 ≤ min_replicas ≤ max_replicas")
    demand = np.asarray(demand, dtype=float)
    n = len(demand)
    unit = capacity * target

    def clamp(value: int) -> int:
        return max(min_replicas, min(max_replicas, value))

    seen = previous_demand if previous_demand is not None and math.isfinite(previous_demand) else None
    if seen is None:
        first = demand[np.isfinite(demand)]
        seen = float(first[0]) if len(first) else 0.0
    current = clamp(math.ceil(seen / unit - 1e-9))
    if floor is not None and len(floor):
        current = clamp(max(current, int(floor[0])))
    last_rec = current
    # plain Python floats and ints in the loop (numpy scalar indexing would make it ~5x slower), and
    # what does not depend on the state computed beforehand: the gate replays every candidate floor
    observed = np.array([seen, *demand[:-1].tolist()] if n else [], dtype=float)
    known = np.isfinite(observed)
    with np.errstate(invalid="ignore"):
        wanted = np.where(known, np.ceil(np.where(known, observed, 0.0) / unit - 1e-9), -1)
    observed_list, wanted_list = observed.tolist(), wanted.astype(np.int64).tolist()
    floor_list = [int(f) for f in floor.tolist()] if floor is not None else [0] * n
    counts = [0] * n
    for t in range(n):
        want = wanted_list[t]
        if want < 0:  # a gap: the HPA keeps the count
            hpa = current
        else:
            ratio = observed_list[t] / (current * unit)
            hpa = current if abs(ratio - 1.0) <= TOLERANCE else want
        if floor_list[t] > hpa:
            hpa = floor_list[t]
        rec = min_replicas if hpa < min_replicas else max_replicas if hpa > max_replicas else hpa
        new = rec if rec >= current else min(current, max(rec, last_rec))
        last_rec = rec
        current = new
        counts[t] = current
    replicas = np.array(counts, dtype=np.int64)
    mask = np.isfinite(demand)
    under = int(np.sum(demand[mask] > replicas[mask] * capacity * (1 + 1e-12)))
    cost = float(np.sum(replicas) * step_hours)
    return Outcome(name=name, replicas=replicas, cost=cost, under=under, steps=int(mask.sum()))


def static(
    demand: np.ndarray, *, replicas: int, capacity: float, step_hours: float, name: str = "static peak"
) -> Outcome:
    """A fixed replica count for the whole window."""
    demand = np.asarray(demand, dtype=float)
    mask = np.isfinite(demand)
    counts = np.full(len(demand), replicas, dtype=np.int64)
    under = int(np.sum(demand[mask] > replicas * capacity * (1 + 1e-12)))
    return Outcome(name, counts, float(replicas * len(demand) * step_hours), under, int(mask.sum()))


@dataclass(frozen=True)
class Frontier:
    """Reactive HPA outcomes, one per target, sorted by cost."""

    targets: tuple[float, ...]
    points: tuple[Outcome, ...]

    def under_at(self, cost: float) -> tuple[float, bool]:
        """Under-provisioned steps interpolated at ``cost``; ``False`` when ``cost`` is outside the frontier."""
        costs = np.array([p.cost for p in self.points])
        unders = np.array([p.under for p in self.points], dtype=float)
        order = np.argsort(costs, kind="stable")
        costs, unders = costs[order], unders[order]
        inside = bool(costs[0] <= cost <= costs[-1])
        return float(np.interp(cost, costs, unders)), inside


def frontier(
    demand: np.ndarray,
    *,
    capacity: float,
    min_replicas: int,
    max_replicas: int,
    step_hours: float,
    previous_demand: float | None = None,
    targets: Sequence[float] = FRONTIER_TARGETS,
) -> Frontier:
    points = [
        replay(demand, capacity=capacity, target=t, min_replicas=min_replicas, max_replicas=max_replicas,
               step_hours=step_hours, previous_demand=previous_demand, name=f"reactive {t:.0%}")
        for t in targets
    ]
    paired = sorted(zip(targets, points, strict=True), key=lambda p: p[1].cost)
    return Frontier(tuple(t for t, _ in paired), tuple(p for _, p in paired))


@dataclass
class Simulation:
    """Everything ``tenantctl simulate`` reports for one trace."""

    index: pd.DatetimeIndex
    demand: np.ndarray
    capacity: float
    target: float
    static: Outcome
    reactive: Outcome
    frontier: Frontier
    predictive: Outcome
    floor: np.ndarray
    models: list[dict[str, object]] = field(default_factory=list)

    @property
    def frontier_under(self) -> float:
        return self.frontier.under_at(self.predictive.cost)[0]

    @property
    def within_frontier(self) -> bool:
        return self.frontier.under_at(self.predictive.cost)[1]

    @property
    def ratio(self) -> float:
        """Predictive under-provisioning / the frontier's at equal cost (< 1 is better)."""
        reference = self.frontier_under
        if reference <= 0:
            return 1.0 if self.predictive.under == 0 else math.inf
        return self.predictive.under / reference

    @property
    def rhythm(self) -> str:
        kinds = {str(m.get("rhythm", "none")) for m in self.models}
        for kind in ("weekly", "daily"):
            if kind in kinds:
                return kind
        return "none"


HELD_OUT = pd.Timedelta(days=7)


def run(
    history: pd.Series,
    *,
    capacity: float,
    target: float,
    min_replicas: int,
    max_replicas: int,
    held_out: pd.Timedelta = HELD_OUT,
    quantile: float | None = None,
    targets: Sequence[float] = FRONTIER_TARGETS,
) -> Simulation:
    """Static peak, the reactive frontier and predictive over the last ``held_out`` of ``history``.

    Predictive re-forecasts every day of the held-out window from the data strictly before
    that day (horizon one day) and replays HPA at ``target`` with the forecast as floor.
    """
    from tenantctl.forecast.history import regularize
    from tenantctl.forecast.model import forecast

    regular = regularize(history)
    values = regular.values
    last = values.index[-1]
    evaluation = values[values.index > last - held_out]
    before = values[values.index <= last - held_out]
    if len(before.dropna()) < 2 or evaluation.dropna().empty:
        raise ValueError(f"the history must be longer than the held-out {held_out / pd.Timedelta(days=1):g} days")
    step_hours = regular.step / pd.Timedelta(hours=1)
    demand = evaluation.to_numpy()
    previous = float(before.dropna().iloc[-1])
    common = dict(capacity=capacity, min_replicas=min_replicas, max_replicas=max_replicas,
                  step_hours=step_hours, previous_demand=previous)
    peak = float(np.nanmax(before.to_numpy()))
    static_replicas = max(min_replicas, min(max_replicas, math.ceil(peak / (capacity * target) - 1e-9)))
    static_outcome = static(demand, replicas=static_replicas, capacity=capacity, step_hours=step_hours)
    reactive = replay(demand, target=target, name=f"reactive {target:.0%}", **common)  # type: ignore[arg-type]
    front = frontier(demand, targets=targets, **common)  # type: ignore[arg-type]

    floor = np.empty(len(demand), dtype=np.int64)
    models: list[dict[str, object]] = []
    start = evaluation.index[0]
    day = pd.Timedelta(days=1)
    k = 0
    while start + k * day <= evaluation.index[-1]:
        origin = start + k * day
        inside = (evaluation.index >= origin) & (evaluation.index < origin + day)
        past = history[history.index < origin]
        # the forecast covers (its last sample, last + horizon]: exactly up to this day's last step,
        # however long a gap before the day is
        horizon = evaluation.index[inside][-1] - past.index[-1]
        result = forecast(past, horizon=horizon, capacity=capacity, target=target,
                          min_replicas=min_replicas, max_replicas=max_replicas,
                          quantile=quantile)
        floor[inside] = result.floor_at(evaluation.index[inside])
        models.append(result.model)
        k += 1
    predictive = replay(demand, target=target, floor=floor, name="predictive", **common)  # type: ignore[arg-type]
    return Simulation(evaluation.index, demand, capacity, target, static_outcome, reactive, front,
                      predictive, floor, models)
