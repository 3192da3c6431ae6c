"""A forecast's floors as a weekly schedule: compacted blocks with cron start/end instants.

The schema's format, exactly: ``{start: "<5-field cron>", end: "<5-field cron>",
desired_replicas: N}``; the cron instants are wall-clock times in the tenant's
``schedule_timezone``. Blocks at ``min_replicas`` are left out (the floor is already
there), adjacent blocks are merged (keeping the higher floor, the cheapest merge
first) until at most ``max_blocks`` remain, and blocks identical on several days of
the week share one entry (``1-5``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tenantctl.forecast.model import Forecast

WEEK_MINUTES = 7 * 24 * 60
MAX_BLOCKS = 28  # KEDA renders one cron trigger per entry; four changes a day is plenty


@dataclass(frozen=True)
class Block:
    """A floor from minute-of-week ``start`` (Monday 00:00 = 0) for ``length`` minutes."""

    start: int
    length: int
    replicas: int


def weekly_floors(forecast: Forecast, resolution: int) -> np.ndarray:
    """The forecast's floor per ``resolution``-minute cell of the week (Monday first); max where slots overlap."""
    cells = WEEK_MINUTES // resolution
    floors = np.zeros(cells, dtype=np.int64)
    for slot in forecast.slots:
        t = slot.start
        while t < slot.end:
            minute = t.dayofweek * 1440 + t.hour * 60 + t.minute
            cell = (minute // resolution) % cells
            floors[cell] = max(floors[cell], slot.min_replicas)
            t = (t.floor(f"{resolution}min") + pd.Timedelta(minutes=resolution))
    return floors


def compact(floors: np.ndarray, resolution: int, min_replicas: int, max_blocks: int = MAX_BLOCKS) -> list[Block]:
    """Runs of equal floors around the week, merged cheapest-first down to ``max_blocks`` above the minimum."""
    values = np.maximum(floors, min_replicas)
    n = len(values)
    if n == 0 or np.all(values == values[0]):
        return [] if n == 0 or values[0] <= min_replicas else [Block(0, WEEK_MINUTES, int(values[0]))]
    # rotate so that the week starts at a change: runs then never wrap
    shift = int(np.flatnonzero(values != np.roll(values, 1))[0])
    rotated = np.roll(values, -shift)
    runs: list[list[int]] = []  # [start cell (rotated), length, value]
    for i, v in enumerate(rotated):
        if runs and runs[-1][2] == v:
            runs[-1][1] += 1
        else:
            runs.append([i, 1, int(v)])

    # near-equal neighbours (within 10 %, or one replica) become one block at the higher floor
    changed = True
    while changed and len(runs) > 1:
        changed = False
        for i in range(len(runs) - 1):
            a, b = runs[i], runs[i + 1]
            if abs(a[2] - b[2]) <= max(1, 0.1 * max(a[2], b[2])):
                runs[i : i + 2] = [[a[0], a[1] + b[1], max(a[2], b[2])]]
                changed = True
                break

    def above(r: list[list[int]]) -> int:
        return sum(1 for run in r if run[2] > min_replicas)

    while above(runs) > max_blocks and len(runs) > 1:
        best, best_cost = 0, None
        for i in range(len(runs) - 1):
            a, b = runs[i], runs[i + 1]
            top = max(a[2], b[2])
            cost = a[1] * (top - a[2]) + b[1] * (top - b[2])
            if best_cost is None or cost < best_cost:
                best, best_cost = i, cost
        a, b = runs[best], runs[best + 1]
        runs[best : best + 2] = [[a[0], a[1] + b[1], max(a[2], b[2])]]
        # neighbours that became equal join up
        merged: list[list[int]] = []
        for run in runs:
            if merged and merged[-1][2] == run[2]:
                merged[-1][1] += run[1]
            else:
                merged.append(run)
        runs = merged
    return [
        Block(((start + shift) % n) * resolution, length * resolution, value)
        for start, length, value in runs
        if value > min_replicas
    ]


def _cron(minute_of_week: int, days: list[int]) -> str:
    minute_of_day = minute_of_week % 1440
    dows = ",".join(str(d) for d in days)
    return f"{minute_of_day % 60} {minute_of_day // 60} * * {_ranges(days) if days else dows}"


def _ranges(days: list[int]) -> str:
    """Cron day-of-week list (0 = Sunday), consecutive days as ranges: ``1-5``, ``0,6``."""
    days = sorted(set(days))
    parts: list[str] = []
    i = 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1] == days[j] + 1:
            j += 1
        parts.append(f"{days[i]}-{days[j]}" if j - i >= 2 else ",".join(str(d) for d in days[i : j + 1]))
        i = j + 1
    return ",".join(parts)


def _cron_dow(minute_of_week: int) -> int:
    """Minute of a Monday-first week → cron day of week (0 = Sunday)."""
    return (minute_of_week // 1440 + 1) % 7


def to_schedule(blocks: list[Block]) -> list[dict[str, object]]:
    """Blocks → schema entries; blocks equal but for the day share one entry."""
    if len(blocks) == 1 and blocks[0].length >= WEEK_MINUTES:
        # a constant floor all week: two half-week blocks (a cron range cannot start where it ends)
        replicas = blocks[0].replicas
        return [{"start": "0 0 * * 1", "end": "0 12 * * 4", "desired_replicas": replicas},
                {"start": "0 12 * * 4", "end": "0 0 * * 1", "desired_replicas": replicas}]
    groups: dict[tuple[int, int, int], list[Block]] = {}
    for block in blocks:
        key = (block.start % 1440, block.length, block.replicas)
        groups.setdefault(key, []).append(block)
    entries: list[tuple[int, dict[str, object]]] = []
    for (_, length, replicas), members in groups.items():
        if length >= 1440:  # a block of a day or longer cannot share a day-of-week list
            for block in members:
                end = (block.start + block.length) % WEEK_MINUTES
                entries.append((block.start, {"start": _cron(block.start, [_cron_dow(block.start)]),
                                              "end": _cron(end, [_cron_dow(end)]), "desired_replicas": replicas}))
            continue
        starts = sorted(b.start for b in members)
        end_of_first = (starts[0] + length) % WEEK_MINUTES
        entries.append((starts[0], {
            "start": _cron(starts[0], [_cron_dow(s) for s in starts]),
            "end": _cron(end_of_first, [_cron_dow((s + length) % WEEK_MINUTES) for s in starts]),
            "desired_replicas": replicas,
        }))
    return [entry for _, entry in sorted(entries, key=lambda e: e[0])]


def weekly_schedule(
    forecast: Forecast, *, min_replicas: int, max_blocks: int = MAX_BLOCKS
) -> list[dict[str, object]]:
    """The schema's ``schedule`` list for a forecast covering (at least) a week."""
    resolution = max(15, min(60, int(forecast.model.get("slot_minutes", 60))))
    floors = weekly_floors(forecast, resolution)
    return to_schedule(compact(floors, resolution, min_replicas, max_blocks))
