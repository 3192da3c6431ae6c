"""What the ``forecast`` and ``simulate`` commands share: history from the options, clean exits."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from tenantctl.forecast.errors import HistoryError

# Everything else is imported where it is used: ``tenantctl forecast --metrics FILE`` needs
# neither the tenant loader (pydantic models) nor rich, and a lazily loading CLI should not pay for them.

if TYPE_CHECKING:  # pandas is imported when a command runs, not when the CLI starts
    import pandas as pd


def fail(message: str) -> NoReturn:
    """``message`` (already ``path:line: ...``) on stderr, exit 2, nothing changed."""
    from tenantctl.common import EXIT_USAGE

    print(message, file=sys.stderr)
    raise typer.Exit(EXIT_USAGE)


def fail_at(path: str, line: int, field: str, message: str) -> NoReturn:
    """``path:line: field: message`` (the spec's error format) on stderr, exit 2."""
    from spec.errors import SpecError

    fail(str(SpecError(path, line, field, message)))


def duration(option: str, text: str) -> pd.Timedelta:
    import pandas as pd

    from spec.durations import parse_duration

    try:
        value = parse_duration(text)
    except ValueError as exc:
        fail(f"{option}:1: {exc}")
    if value <= timedelta(0):
        fail(f"{option}:1: must be positive")
    return pd.Timedelta(value)


def check_parameters(capacity: float | None, target: float, low: int, high: int, where: str = "options") -> float:
    if capacity is None:
        fail(f"{where}:1: --capacity-per-replica is required (demand one replica serves at 100% utilisation)")
    if not capacity > 0:
        fail(f"{where}:1: --capacity-per-replica must be > 0, not {capacity:g}")
    if not 0 < target <= 1:
        fail(f"{where}:1: --target-utilization must be a fraction in (0, 1], e.g. 0.7, not {target:g}")
    if low < 1 or high < low:
        fail(f"{where}:1: need 1 ≤ --min-replicas ({low}) ≤ --max-replicas ({high})")
    return capacity


def history(
    metrics: Path | None,
    prometheus: str | None,
    query: str | None,
    *,
    lookback: str = "60d",
    until: str | None = None,
    step: str = "5m",
) -> pd.Series:
    """The demand history from ``--metrics FILE.csv`` or ``--prometheus URL --query PROMQL``."""
    import pandas as pd

    from tenantctl.forecast.history import load_csv, load_prometheus

    if (metrics is None) == (prometheus is None):
        fail("options:1: give exactly one of --metrics FILE.csv or --prometheus URL --query PROMQL")
    try:
        if metrics is not None:
            return load_csv(metrics)
        if not query:
            fail("options:1: --prometheus needs --query PROMQL")
        end = pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s")
        if until:
            try:
                end = pd.Timestamp(until)
            except ValueError:
                fail(f"--until:1: {until!r} is not a timestamp (YYYY-MM-DD HH:MM:SS, UTC)")
            if end.tzinfo is not None:
                end = end.tz_convert("UTC").tz_localize(None)
        start = end - duration("--lookback", lookback)
        assert prometheus is not None
        return load_prometheus(prometheus, query, start=start, end=end, step=duration("--step", step))
    except HistoryError as exc:
        fail(str(exc))
