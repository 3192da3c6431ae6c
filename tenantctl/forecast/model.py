"""The demand forecaster: a robust seasonal profile with back-tested quantiles.

Why this model
--------------
A schedule floor only pays off when it is *calibrated*: too low and it never binds,
too high and it buys replica-hours the HPA would not have needed. So the model is
chosen for honest upper quantiles and robustness first, and for point accuracy second:

* **Log scale, robust statistics.** Demand is multiplicative (a busy hour is a
  multiple of a quiet one, noise grows with the level), so the model works on
  ``log(demand + ε)``. Every estimate is a median or an empirical quantile
  (``numpy.nanmedian``/``nanquantile``, ``pandas`` rolling medians), so a burst, a
  holiday or an outage (gaps stay ``NaN``, never interpolated) moves it little.
* **Seasonal decomposition.** Hourly medians minus a trailing (causal) baseline give
  an hour-of-day profile (last 14 days) and an hour-of-week profile (last 4 weeks);
  the level is the median of the de-seasonalised last 24 hours, so a level shift is
  followed within a day.
* **Rhythm is detected by back-testing, not assumed.** For each of the last 14 days the
  model forecasts the day from data strictly before it with a flat, a daily and a
  weekly profile and keeps the one with the lowest error, but only when it beats the
  flat forecast by a clear margin (``RHYTHM_SKILL``); otherwise ``rhythm`` is ``none``.
* **The floor must be worth its cost.** The same back-test days are replayed through the
  HPA simulator with the floor each candidate quantile (``QUANTILES``) would have set,
  *cross-fitted*: a back-test day's upper quantiles come from the errors of the other days
  (``CROSS_FOLDS`` folds), never its own, so the back-test is out of sample like the forecast.
  A candidate passes only if it beats the reactive frontier at equal cost by ``GATE`` (20 %),
  pays at most ``MAX_PRICE`` deployment-hours per hour of under-provisioning it avoids
  against reactive HPA at the target (nothing where reactive is never under-provisioned),
  and costs at most ``MAX_STATIC_SHARE`` (70 %) of static peak provisioning; otherwise the
  floor is off (``min_replicas``) and scaling stays reactive. Among passing candidates the
  cheapest within one standard error of the best score is used (``ONE_SE``: scores a few
  dozen steps apart are noise, a higher quantile costs on every later day).
  ``model["gate"]`` reports the rule, the figures and the reason. Without rhythm the floor is
  level-only: its level follows a drop of the last ``RECENT_HOURS`` at once, and it holds only
  as long after the last sample as the back-test found worth it (``LEVEL_HOLDS``), never a
  day-old level all day.
* **Quantiles from the back-test, at the samples' resolution.** The upper bound adds the
  empirical quantile of the back-test's out-of-sample errors per slot of the day (slots as
  fine as the step, down to 5 minutes), so load that recurs at one clock minute (a job at
  :30) raises only its own slot; a slot with fewer than ``MIN_OWN`` errors uses its hour and
  the neighbouring hours. It contains level drift, within-hour bursts and profile error:
  the real day-ahead error, not an in-sample residual.
* **Short histories fall back honestly.** Under ``MIN_HISTORY`` (7 days) there is no
  way to tell rhythm from noise; the model reports ``fallback`` with the reason, the
  prediction is the last day's median and the floor is ``min_replicas``.

Gradient boosting on calendar and lag features, exponential smoothing (Holt-Winters)
and MSTL were considered: boosting needs many more days per hour-of-week than a
60-day history has and is slower by two orders of magnitude; Holt-Winters and MSTL
fit means, so bursts and outages leak into level and season, and their Gaussian
intervals are too narrow on bursty demand. The profile-plus-empirical-quantile model
is what a seasonal decomposition with quantiles reduces to when made robust.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tenantctl.forecast.history import regularize

HOUR = pd.Timedelta(hours=1)
DAY = pd.Timedelta(days=1)
WEEK_HOURS = 168
MIN_HISTORY = pd.Timedelta(days=7)  # below this, rhythm cannot be told from noise: fall back to reactive
WEEKLY_HISTORY = pd.Timedelta(days=21)  # two weeks of profile + one week of back-test
DAILY_WINDOW_DAYS = 14
WEEKLY_WINDOW_WEEKS = 4
BACKTEST_DAYS = 14
RHYTHM_SKILL = 0.2  # a profile must cut the flat forecast's error by 20 % to count as rhythm
WEEKLY_PREFERENCE = 0.05  # the weekly profile must beat the daily one by 5 % to be used
UPPER_QUANTILE = 0.9
QUANTILES = (0.5, 0.7, 0.8, 0.9, 0.95)
GATE = 0.8  # a floor must cut the frontier's under-provisioning at equal cost by 20 % ...
MAX_PRICE = 60.0  # ... and pay at most 60 deployment-hours per hour of under-provisioning it avoids ...
MAX_STATIC_SHARE = 0.7  # ... and cost at most 70 % of static peak provisioning
GATE_ANY = True
LEVEL_FLOOR_WEEK = True
RECENT_HOURS = 4  # a level-only floor follows the last 4 hours down (a drop is not held for a day)
LEVEL_HOLDS = (3, 8, 24)  # hours a level-only floor may hold after the last sample (chosen by the back-test)
MIN_SAMPLES = 20
MIN_OWN = 10  # a slot of the day needs this many back-test errors for its own quantiles (else its hours')
CROSS_FOLDS = 7  # the gate's cross-fitting: a back-test day's quantiles come from the other 6/7 of the days
ONE_SE = 1.0  # among floors passing the gate, the cheapest within this many standard errors of the best score
# the back-test's reactive frontier: fewer targets than the benchmark's (each is one replay of the
# back-test days); interpolating between them moves a score by a few percent at most
GATE_FRONTIER_TARGETS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
EPOCH = pd.Timestamp("1970-01-01")
EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday = 0)


@dataclass(frozen=True)
class Slot:
    """The interval ``(start, end]``: a sample at ``end`` belongs to this slot, one at ``start`` to the previous."""

    start: pd.Timestamp
    end: pd.Timestamp
    predicted: float
    upper: float
    min_replicas: int

    def as_json(self) -> dict[str, Any]:
        return {
            "start": self.start.strftime("%Y-%m-%d %H:%M:%S"),
            "end": self.end.strftime("%Y-%m-%d %H:%M:%S"),
            "min_replicas": self.min_replicas,
            "predicted": round(self.predicted, 6),
            "upper": round(self.upper, 6),
        }


@dataclass(frozen=True)
class Forecast:
    slots: list[Slot]
    model: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"slots": [s.as_json() for s in self.slots], "model": self.model}

    def floor_at(self, times: pd.DatetimeIndex) -> np.ndarray:
        """The schedule floor (``min_replicas`` of the covering slot ``(start, end]``) at each of ``times``.

        Raises ``ValueError`` for a time outside ``(first start, last end]``: the caller asked
        for a horizon it did not forecast, and a clipped answer would hide it.
        """
        if not self.slots:
            raise ValueError("the forecast has no slots")
        ends = pd.DatetimeIndex([s.end for s in self.slots]).to_numpy()
        stamps = pd.DatetimeIndex(times).to_numpy()
        position = np.searchsorted(ends, stamps, side="left")  # first slot whose end is at or after t
        outside = (position >= len(self.slots)) | (stamps <= np.datetime64(self.slots[0].start))
        if outside.any():
            first = pd.Timestamp(stamps[outside][0])
            raise ValueError(f"{first} is outside the forecast ({self.slots[0].start}, {self.slots[-1].end}]")
        floors = np.array([s.min_replicas for s in self.slots], dtype=np.int64)
        return floors[position]


def slot_bounds(last: pd.Timestamp, horizon: pd.Timedelta, slot: pd.Timedelta) -> list[pd.Timestamp]:
    """Boundaries ``last < b1 < … < last + horizon`` of slots ``(b[i], b[i+1]]`` covering ``(last, last + horizon]``.

    Inner boundaries are clock multiples of ``slot`` (the history's own clock, whatever the
    phase of its samples), so a 09:00 peak starts a slot at 09:00 and not at 09:02:53.
    """
    end = last + horizon
    bounds = [last]
    edge = last.floor(slot) + slot  # > last, even when last is on an edge
    while edge < end:
        bounds.append(edge)
        edge += slot
    bounds.append(end)
    return bounds


TICK = pd.Timedelta(1, "ns")


def _hour_key(times: pd.DatetimeIndex | pd.Timestamp) -> Any:
    """Clock hours since the epoch (naive clock, no zone), right-closed: ``(h:00, h+1:00]`` is hour ``h``.

    A sample at ``t`` measures the interval ending at ``t`` (a Prometheus ``rate[5m]`` at
    09:00 covers 08:55-09:00), so the sample at 09:00 belongs to the 08:00 hour, the
    ``(08:45, 09:00]`` slot and the schedule block starting at 08:45, like the slots.
    """
    return (times - TICK - EPOCH) // HOUR


def _slot_of_day(times: pd.DatetimeIndex | pd.Timestamp, slot: pd.Timedelta) -> Any:
    """Right-closed slot of the day: ``(00:00, 00:15]`` is slot 0 (see ``_hour_key``)."""
    shifted = times - TICK
    return (shifted - shifted.normalize()) // slot


def _window(values: np.ndarray, first_key: int, end_key: int, length: int) -> np.ndarray:
    """``values`` (keyed from ``first_key``) for keys ``[end_key - length, end_key)``, NaN-padded."""
    out = np.full(length, np.nan)
    lo = end_key - length - first_key
    hi = end_key - first_key
    src_lo, src_hi = max(lo, 0), min(hi, len(values))
    if src_hi > src_lo:
        out[src_lo - lo: src_hi - lo] = values[src_lo:src_hi]
    return out


def _nanmedian(a: np.ndarray, axis: int | None = None) -> Any:
    """``np.nanmedian`` without the all-NaN warning (an all-NaN slice is NaN)."""
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=RuntimeWarning)
            return np.nanmedian(a, axis=axis)


@dataclass
class _Hourly:
    """Hourly robust summary of the log-demand, with causal baselines for each profile."""

    first_key: int
    level: np.ndarray  # hourly median of log-demand
    daily_detrended: np.ndarray  # minus trailing 24 h median
    weekly_detrended: np.ndarray  # minus trailing 168 h median

    @classmethod
    def build(cls, times: pd.DatetimeIndex, z: np.ndarray) -> _Hourly:
        keys = np.asarray(_hour_key(times), dtype=np.int64)
        first = int(keys[0])
        frame = pd.Series(z, index=keys - first)
        medians = frame.groupby(level=0).median()
        level = np.full(int(keys[-1] - first) + 1, np.nan)
        level[medians.index.to_numpy()] = medians.to_numpy()
        series = pd.Series(level)
        daily_base = series.rolling(24, min_periods=6).median().to_numpy()
        weekly_base = series.rolling(WEEK_HOURS, min_periods=24).median().to_numpy()
        return cls(first, level, level - daily_base, level - weekly_base)

    def profile(self, mode: str, origin: int) -> np.ndarray:
        """Seasonal offsets for the ``WEEK_HOURS`` hours starting at key ``origin``, from keys before it."""
        if mode == "weekly":
            block = _window(self.weekly_detrended, self.first_key, origin, WEEKLY_WINDOW_WEEKS * WEEK_HOURS)
            week = _nanmedian(block.reshape(WEEKLY_WINDOW_WEEKS, WEEK_HOURS), axis=0)
            daily = self.profile("daily", origin)
            return np.where(np.isnan(week), daily, week)
        if mode == "daily":
            block = _window(self.daily_detrended, self.first_key, origin, DAILY_WINDOW_DAYS * 24)
            day = _nanmedian(block.reshape(DAILY_WINDOW_DAYS, 24), axis=0)
            day = np.where(np.isnan(day), 0.0, day)
            return np.tile(day, WEEK_HOURS // 24)
        return np.zeros(WEEK_HOURS)

    def point(self, mode: str, origin: int, hours: int) -> np.ndarray:
        """Median log-demand for keys ``origin .. origin + hours - 1`` from keys before ``origin``."""
        week = self.profile(mode, origin)
        # the profile's column j is key origin - 168·k + j: the same hour of week as origin + j
        recent = _window(self.level, self.first_key, origin, WEEK_HOURS)
        offsets = week  # column j ↔ key origin + j (mod 168)
        deseasonalised = recent - offsets  # recent[j] is key origin - 168 + j ≡ origin + j (mod 168)
        last_day = deseasonalised[-24:]
        week_level = float(_nanmedian(deseasonalised)) if np.isfinite(deseasonalised).any() else math.nan
        if np.isfinite(last_day).sum() >= 6:
            level = float(_nanmedian(last_day))
            if mode == "level":  # no rhythm to come back to: a recent drop lowers the level at once
                recent_hours = last_day[-RECENT_HOURS:]
                if np.isfinite(recent_hours).sum() >= 2:
                    level = min(level, float(_nanmedian(recent_hours)))
            elif LEVEL_FLOOR_WEEK and math.isfinite(week_level):
                level = max(level, week_level)
        elif math.isfinite(week_level):
            level = week_level
        else:
            finite = self.level[: max(0, origin - self.first_key)]
            finite = finite[np.isfinite(finite)]
            level = float(finite[-1]) if len(finite) else 0.0
        reps = math.ceil(hours / WEEK_HOURS)
        return level + np.tile(offsets, reps)[:hours]


def _slot_length(step: pd.Timedelta) -> pd.Timedelta:
    """Slots are the step rounded up to 5, 10, 15, 20, 30 or 60 minutes (they must divide the hour).

    As fine as the samples: load that recurs at the same clock minute (a job at :30 every
    two hours) gets its floor in its own 5-minute slot instead of raising a whole quarter-hour
    (the weekly schedule is coarser anyway: ``schedule.weekly_schedule`` merges slots).
    """
    for minutes in (5, 10, 15, 20, 30, 60):
        if step <= pd.Timedelta(minutes=minutes):
            return pd.Timedelta(minutes=minutes)
    return HOUR


def _quantile_table(errors: np.ndarray, positions: np.ndarray, per_day: int, q: float) -> np.ndarray:
    """Per slot position of the day, the ``q`` quantile of back-test errors at that position (see ``_quantile_tables``)."""
    return _quantile_tables(errors, positions, per_day, (q,))[0]


def _grouped(errors: np.ndarray, keys: np.ndarray, groups: int) -> np.ndarray:
    """``errors`` as a ``(groups, most)`` matrix, row ``k`` holding the errors with key ``k`` (NaN-padded)."""
    order = np.argsort(keys, kind="stable")
    keys, errors = keys[order], errors[order]
    lo = np.searchsorted(keys, np.arange(groups), side="left")
    counts = np.bincount(keys, minlength=groups)
    matrix = np.full((groups, max(1, int(counts.max()) if len(counts) else 1)), np.nan)
    matrix[keys, np.arange(len(keys)) - lo[keys]] = errors
    return matrix


def _nanquantile_rows(matrix: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """``(len(levels), rows)`` linear-interpolated quantiles of each row's finite values, NaN for none.

    ``np.nanquantile(axis=1)`` gives the same numbers but loops over the rows in Python; one
    sort of the matrix (NaN sorts last) and the same interpolation vectorised is ~50x faster.
    """
    ordered = np.sort(matrix, axis=1)
    counts = np.isfinite(ordered).sum(axis=1)
    rows = np.arange(len(ordered))
    where = levels[:, None] * np.maximum(counts - 1, 0)[None, :]
    below = np.floor(where).astype(np.int64)
    above = np.minimum(below + 1, np.maximum(counts - 1, 0)[None, :])
    share = where - below
    low, high = ordered[rows[None, :], below], ordered[rows[None, :], above]
    values = low + (high - low) * share
    return np.where(counts[None, :] > 0, values, np.nan)


def _quantile_tables(
    errors: np.ndarray, positions: np.ndarray, per_day: int, qs: tuple[float, ...]
) -> np.ndarray:
    """Per quantile of ``qs`` and slot position of the day, that quantile of the back-test errors there.

    A position with fewer than ``MIN_OWN`` errors uses its hour of day and the two
    neighbouring hours instead; with fewer than ``MIN_SAMPLES`` of those, all errors pooled.
    Vectorised (one ``nanquantile`` over a position × day matrix): the gate needs every
    candidate's table, once per cross-fitting fold.
    """
    finite = np.isfinite(errors)
    errors, positions = errors[finite], positions[finite].astype(np.int64)
    levels = np.asarray(qs, dtype=float)
    if not len(errors):
        return np.zeros((len(levels), per_day))
    pooled = np.quantile(errors, levels)
    per_hour = max(1, per_day // 24)
    hours = positions // per_hour
    own = _nanquantile_rows(_grouped(errors, positions, per_day), levels)
    by_hour = _grouped(errors, hours, 24)
    near_matrix = np.concatenate([np.roll(by_hour, shift, axis=0) for shift in (-1, 0, 1)], axis=1)
    near = _nanquantile_rows(near_matrix, levels)
    near_counts = np.isfinite(near_matrix).sum(axis=1)
    near = np.where(near_counts[None, :] >= MIN_SAMPLES, near, pooled[:, None])
    counts = np.bincount(positions, minlength=per_day)
    hod = np.arange(per_day) // per_hour
    return np.where(counts[None, :] >= MIN_OWN, own, near[:, hod])


def _replicas(upper: float, capacity: float, target: float, low: int, high: int) -> int:
    ratio = upper / (capacity * target)
    if not math.isfinite(ratio) or ratio >= high:
        return high
    need = math.ceil(ratio - 1e-9) if upper > 0 else 0
    return max(low, min(high, need))


def forecast(
    history: pd.Series,
    *,
    horizon: pd.Timedelta,
    capacity: float,
    target: float,
    min_replicas: int,
    max_replicas: int,
    quantile: float | None = None,
) -> Forecast:
    """Slots of at most one hour covering ``(last, last + horizon]`` from ``history`` alone.

    Slot boundaries are clock multiples of 15-60 minutes (the step rounded up) in the
    history's own clock; ``min_replicas`` of a slot is ``ceil(upper / (capacity × target))``
    clamped to ``[min_replicas, max_replicas]``, or ``min_replicas`` when the back-test gate
    switched the floor off (the HPA stays reactive). ``quantile`` fixes the upper quantile
    and skips the gate (floor on whenever a rhythm is found).
    """
    if horizon <= pd.Timedelta(0):
        raise ValueError("horizon must be positive")
    if capacity <= 0 or not 0 < target <= 1:
        raise ValueError("capacity must be > 0 and target utilisation in (0, 1]")
    if min_replicas < 1 or max_replicas < min_replicas:
        raise ValueError("need 1 ≤ min_replicas ≤ max_replicas")
    regular = regularize(history)
    values = regular.values
    times = values.index
    raw = values.to_numpy()
    finite = raw[np.isfinite(raw)]
    scale = float(np.median(finite)) if len(finite) else 0.0
    if scale <= 0:
        scale = float(np.mean(finite)) if len(finite) and np.mean(finite) > 0 else 1.0
    eps = 0.1 * scale
    z = np.log(raw + eps)
    last = pd.Timestamp(history.index[-1])  # the file's own last sample, not its grid cell
    span = times[-1] - times[0] + regular.step
    model: dict[str, Any] = {
        "name": "seasonal-profile-quantile",
        "history_days": round(span / DAY, 2),
        "step_seconds": int(regular.step.total_seconds()),
        "gaps": round(float(np.isnan(raw).mean()), 4),
    }

    slot = _slot_length(regular.step)
    per_day = int(DAY / slot)
    model["slot_minutes"] = int(slot / pd.Timedelta(minutes=1))
    boundaries = slot_bounds(last, horizon, slot)
    starts, ends = boundaries[:-1], boundaries[1:]
    slot_keys = np.asarray(_hour_key(pd.DatetimeIndex(ends)), dtype=np.int64)  # a slot's samples share its end's hour
    hourly = _Hourly.build(times, z)
    origin = int(_hour_key(last))  # the (partial) hour holding the last sample is forecast, not used

    if span < MIN_HISTORY:
        tail = z[times > last - DAY]
        tail = tail[np.isfinite(tail)]
        mid = float(np.median(tail)) if len(tail) else 0.0
        top = float(np.quantile(tail, quantile or UPPER_QUANTILE)) if len(tail) else 0.0
        model.update(
            rhythm="none",
            fallback=f"history spans {span / DAY:.1f} days; at least {MIN_HISTORY.days} are needed to "
            "detect a daily or weekly rhythm, so no schedule floor: scaling stays reactive",
            floor="off",
        )
        slots = [
            Slot(s, e, max(0.0, math.exp(mid) - eps), max(0.0, math.exp(top) - eps), min_replicas)
            for s, e in zip(starts, ends, strict=True)
        ]
        return Forecast(slots, model)

    backtest = _select(hourly, times, z, origin, span, slot)
    mode = backtest.mode
    rhythm = mode if mode != "flat" else "none"
    floor_mode = mode if rhythm != "none" else "level"  # without rhythm, the floor is a level that can shrink
    chosen_errors = backtest.errors[floor_mode]
    floor_on = False
    hold: float = math.inf
    gate: dict[str, Any] | None = None
    if quantile is None:
        quantile = UPPER_QUANTILE
        if (rhythm != "none" or GATE_ANY) and len(chosen_errors):
            verdict = _gate(
                backtest, raw[backtest.mask], floor_mode, eps=eps, per_day=per_day, slot=slot,
                step_hours=regular.step / HOUR, capacity=capacity, target=target,
                min_replicas=min_replicas, max_replicas=max_replicas,
            )
            gate = verdict.report()
            floor_on = verdict.kept
            if floor_on:
                quantile, hold = verdict.quantile, verdict.hold
    else:
        floor_on = rhythm != "none"
    upper_q = _quantile_table(chosen_errors, backtest.positions, per_day, quantile)
    mid_q = _quantile_table(backtest.errors[floor_mode], backtest.positions, per_day, 0.5)
    hours = int(slot_keys[-1] - origin) + 1
    point = hourly.point(floor_mode, origin, hours)
    model.update(rhythm=rhythm, skill={k: round(v, 3) for k, v in backtest.skill.items()}, fallback=None,
                 quantile=quantile, backtest_score=None if gate is None else gate["score"],
                 floor=("on" if math.isinf(hold) else f"on for {hold:g} h after the last sample") if floor_on
                 else "off: scaling stays reactive",
                 gate=gate)
    slots = []
    end_index = pd.DatetimeIndex(ends)
    positions = np.asarray(_slot_of_day(end_index, slot), dtype=np.int64).tolist()  # once, not per slot
    lead_hours = ((end_index - last) / HOUR).to_numpy().tolist()
    for s, e, key, position, lead in zip(starts, ends, slot_keys, positions, lead_hours, strict=True):
        base = point[int(key - origin)]
        predicted = max(0.0, math.exp(base + mid_q[position]) - eps)
        upper = max(predicted, math.exp(base + upper_q[position]) - eps)
        held = lead <= hold
        floor = _replicas(upper, capacity, target, min_replicas, max_replicas) if floor_on and held else min_replicas
        slots.append(Slot(s, e, predicted, upper, floor))
    return Forecast(slots, model)


@dataclass
class _Backtest:
    """Day-ahead forecasts of the last days, each from the data strictly before its day."""

    mode: str
    skill: dict[str, float]
    points: dict[str, np.ndarray]  # per back-test step, the median log-demand forecast of each mode
    errors: dict[str, np.ndarray]  # per back-test step, log-demand minus that forecast (NaN in gaps)
    positions: np.ndarray  # slot of the day of each back-test step
    mask: np.ndarray  # which steps of the history are back-test steps
    days: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))  # back-test day of each step


def _select(
    hourly: _Hourly, times: pd.DatetimeIndex, z: np.ndarray, origin: int, span: pd.Timedelta, slot: pd.Timedelta
) -> _Backtest:
    """Back-test flat, daily and weekly profiles over the last days; pick the rhythm."""
    modes = ["flat", "daily"] + (["weekly"] if span >= WEEKLY_HISTORY else [])
    min_days = 14 if "weekly" in modes else 3
    first_day = hourly.first_key // 24 + min_days
    last_day = origin // 24  # the day holding the origin: forecast from its start, errors up to the origin
    days = [d for d in range(max(first_day, last_day - BACKTEST_DAYS), last_day + 1)]
    keys = np.asarray(_hour_key(times), dtype=np.int64)
    slot_of_day = np.asarray(_slot_of_day(times, slot), dtype=np.int64)
    step_points: dict[str, list[np.ndarray]] = {m: [] for m in modes}
    hour_errors: dict[str, list[np.ndarray]] = {m: [] for m in modes}
    hods: list[np.ndarray] = []
    day_of_step: list[np.ndarray] = []
    mask = np.zeros(len(times), dtype=bool)
    step_points["level"] = []
    for day in days:
        start = day * 24
        stop = min(start + 24, origin)
        if stop <= start:
            continue
        inside = (keys >= start) & (keys < stop)
        step_keys = keys[inside]
        hods.append(slot_of_day[inside])
        day_of_step.append(np.full(int(inside.sum()), day, dtype=np.int64))
        mask |= inside
        actual_hours = _window(hourly.level, hourly.first_key, stop, stop - start)
        for mode in modes:
            point = hourly.point(mode, start, stop - start)
            step_points[mode].append(point[step_keys - start])
            hour_errors[mode].append(actual_hours - point)
        step_points["level"].append(hourly.point("level", start, stop - start)[step_keys - start])
    if not hods:
        empty = np.array([])
        return _Backtest("flat", {"flat": 0.0}, {"flat": empty, "level": empty}, {"flat": empty, "level": empty},
                         empty.astype(np.int64), mask)
    points = {m: np.concatenate(step_points[m]) for m in step_points}
    errors = {m: z[mask] - points[m] for m in points}
    mae = {m: float(np.nanmean(np.abs(np.concatenate(hour_errors[m])))) for m in modes}
    flat = mae["flat"] if mae["flat"] > 0 else 1e-12
    skill = {m: 1.0 - mae[m] / flat for m in modes}
    mode = "flat"
    if skill["daily"] >= RHYTHM_SKILL:
        mode = "daily"
    if "weekly" in modes and skill["weekly"] >= RHYTHM_SKILL and mae["weekly"] < (1 - WEEKLY_PREFERENCE) * mae["daily"]:
        mode = "weekly"
    return _Backtest(mode, skill, points, errors, np.concatenate(hods), mask, np.concatenate(day_of_step))


@dataclass
class _Verdict:
    """What the back-test said about the best floor candidate, and whether the floor is kept."""

    quantile: float
    hold: float  # hours after the origin the floor holds (inf: the whole horizon)
    kept: bool
    reason: str
    score: float  # (under + 1) / (frontier under at equal cost + 1)
    floor_cost: float
    floor_under: int
    reactive_cost: float
    reactive_under: int
    static_cost: float
    price: float | None  # extra replica-hours / (avoided under-provisioned hours × mean reactive replicas)
    reference: float = 0.0  # the frontier's under-provisioned steps at the floor's cost

    @property
    def standard_error(self) -> float:
        """The score's standard error, counting both step counts as Poisson: the back-test's noise."""
        return self.score * math.sqrt(1 / (self.floor_under + 1) + 1 / (self.reference + 1))

    def report(self) -> dict[str, Any]:
        return {
            "kept": self.kept, "reason": self.reason, "score": round(self.score, 3),
            "rule": f"keep a floor only if its back-test under-provisioning is ≤ {GATE:g}× the reactive frontier's "
                    f"at equal cost, it pays ≤ {MAX_PRICE:g} deployment-hours per hour of under-provisioning it "
                    f"avoids against reactive HPA at the target, and it costs ≤ {MAX_STATIC_SHARE:.0%} of static "
                    "peak provisioning (back-test cross-fitted; the cheapest passing floor within one standard error "
                    "of the best score is used)",
            "backtest": {
                "floor": {"quantile": self.quantile, "hold_hours": None if math.isinf(self.hold) else self.hold,
                          "replica_hours": round(self.floor_cost, 1), "under_steps": self.floor_under},
                "reactive": {"replica_hours": round(self.reactive_cost, 1), "under_steps": self.reactive_under},
                "static_peak_replica_hours": round(self.static_cost, 1),
                "price": None if self.price is None else round(self.price, 2),
            },
        }


def _choose(verdicts: list[_Verdict]) -> _Verdict:
    """The cheapest kept candidate whose score is within one standard error of the best kept score.

    The one-standard-error rule of model selection: back-test scores of nearby candidates differ
    by noise (a few dozen under-provisioned steps), and the higher quantile that wins the
    back-test by noise costs replica-hours on every day after it. Without a kept candidate,
    the lowest score (to report why it was dropped).
    """
    kept = [v for v in verdicts if v.kept]
    if not kept:
        return min(verdicts, key=lambda v: (v.score, v.floor_cost))
    top = min(kept, key=lambda v: (v.score, v.floor_cost))
    bound = top.score + ONE_SE * top.standard_error
    return min((v for v in kept if v.score <= bound), key=lambda v: (v.floor_cost, v.score))


def _gate(
    backtest: _Backtest,
    demand: np.ndarray,
    floor_mode: str,
    *,
    eps: float,
    per_day: int,
    slot: pd.Timedelta,
    step_hours: float,
    capacity: float,
    target: float,
    min_replicas: int,
    max_replicas: int,
) -> _Verdict:
    """Replay the back-test days with each candidate floor; keep the best one that is worth its cost.

    The rule, in the back-test (the last days, each forecast from the data before it):

    * **better than reactive at equal cost**: ``(under + 1) / (frontier under at equal cost + 1) ≤ GATE``;
    * **worth its price**: against reactive HPA at the target, the extra replica-hours divided by
      (avoided under-provisioned hours × reactive's mean replicas) is at most ``MAX_PRICE``: a floor
      may pay up to 60 times what the deployment costs during the time it saves from
      under-provisioning, and nothing at all where reactive is never under-provisioned;
    * **cheaper than static**: at most ``MAX_STATIC_SHARE`` of static peak provisioning's replica-hours.

    Candidates are the quantiles ``QUANTILES`` and, for a level-only floor, how long it holds
    (``LEVEL_HOLDS``); among those passing, the cheapest within one standard error of the
    lowest score (``_choose``). Upper quantiles are cross-fitted (``CROSS_FOLDS``).
    """
    from tenantctl.forecast.simulate import frontier, replay

    common = dict(capacity=capacity, min_replicas=min_replicas, max_replicas=max_replicas, step_hours=step_hours)
    # a floor only adds replicas to HPA at the target, so its cost is at or above reactive's at the
    # target: the frontier is needed from there down (lower targets cost more)
    targets = sorted({t for t in GATE_FRONTIER_TARGETS if t < target} | {target})
    front = frontier(demand, targets=targets, **common)  # type: ignore[arg-type]
    reactive = front.points[front.targets.index(target)]
    finite = demand[np.isfinite(demand)]
    peak = float(finite.max()) if len(finite) else 0.0
    static_replicas = max(min_replicas, min(max_replicas, math.ceil(peak / (capacity * target) - 1e-9)))
    static_cost = static_replicas * len(demand) * step_hours
    mean_replicas = reactive.cost / (len(demand) * step_hours) if len(demand) else 1.0
    point = backtest.points[floor_mode]
    errors = backtest.errors[floor_mode]
    lead = (backtest.positions + 1) * (slot / HOUR)  # hours since the back-test day's start (its origin)
    holds: tuple[float, ...] = (math.inf,) if floor_mode != "level" else tuple(float(h) for h in LEVEL_HOLDS)
    verdicts: list[_Verdict] = []
    # cross-fitted: a back-test day's upper quantiles come from the errors of the other days (folds
    # of every 7th day), never from its own, so the score is out of sample like the forecast itself
    offsets = np.empty((len(QUANTILES), len(errors)))
    for k in range(CROSS_FOLDS):
        part = backtest.days % CROSS_FOLDS == k
        if not part.any():
            continue
        other = ~part if (~part).any() else part
        tables = _quantile_tables(errors[other], backtest.positions[other], per_day, QUANTILES)
        offsets[:, part] = tables[:, backtest.positions[part]]
    for q, offset in zip(QUANTILES, offsets, strict=True):
        upper = np.exp(point + offset) - eps
        need = np.nan_to_num(np.ceil(upper / (capacity * target) - 1e-9), nan=min_replicas, posinf=max_replicas)
        full = np.clip(need, min_replicas, max_replicas).astype(np.int64)
        for hold in holds:
            floor = np.where(lead <= hold, full, min_replicas)
            outcome = replay(demand, target=target, floor=floor, **common)  # type: ignore[arg-type]
            reference, _ = front.under_at(outcome.cost)
            score = (outcome.under + 1) / (reference + 1)
            extra = outcome.cost - reactive.cost
            avoided_hours = (reactive.under - outcome.under) * step_hours
            price = None
            if extra > 0:
                price = math.inf if avoided_hours <= 0 else extra / (avoided_hours * max(mean_replicas, 1e-9))
            if score > GATE:
                reason = f"under-provisioning {score:.2f}× the reactive frontier's at equal cost (must be ≤ {GATE:g})"
            elif price is not None and price > MAX_PRICE:
                reason = ("it avoids no under-provisioning reactive HPA has" if math.isinf(price) else
                          f"price {price:.1f} deployment-hours per avoided under-provisioned hour "
                          f"(at most {MAX_PRICE:g})")
            elif outcome.cost > MAX_STATIC_SHARE * static_cost:
                reason = (f"{outcome.cost:.0f} replica-hours, {outcome.cost / static_cost:.0%} of static peak "
                          f"(at most {MAX_STATIC_SHARE:.0%})")
            else:
                reason = ""
            verdicts.append(_Verdict(q, hold, not reason, reason or "worth its cost", score, outcome.cost,
                                     outcome.under, reactive.cost, reactive.under, static_cost, price, reference))
    best = _choose(verdicts)
    if best.kept:
        best.reason = (f"kept: {best.score:.2f}× the frontier's under-provisioning at equal cost, "
                       + ("no extra cost over reactive" if best.price is None else
                          f"price {best.price:.1f} deployment-hours per avoided under-provisioned hour")
                       + f", {best.floor_cost / best.static_cost:.0%} of static peak")
    else:
        best.reason = "dropped: " + best.reason
    return best
