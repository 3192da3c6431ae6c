"""Demand history: loading (CSV or Prometheus), validation with line numbers, and regularisation.

A history is a ``pandas.Series`` of non-negative floats indexed by naive, strictly
ascending timestamps in the source's own clock. ``regularize`` puts it on a fixed
grid (the median step) and leaves gaps as ``NaN``: nothing is invented for an
outage, so the model sees a gap rather than a fake valley or plateau.
"""

from __future__ import annotations

import csv
import json
import math
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

MAX_ROWS = 2_000_000  # ~19 years of 5-minute samples; anything bigger is not one tenant's history
TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")


class HistoryError(Exception):
    """Bad input a user can fix; ``str()`` is ``path:line: message``."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass(frozen=True)
class Regular:
    """A history on a fixed grid: ``values`` has ``NaN`` where nothing was observed."""

    values: pd.Series
    step: pd.Timedelta

    @property
    def steps_per_hour(self) -> float:
        return pd.Timedelta(hours=1) / self.step


def _parse_time(text: str) -> pd.Timestamp | None:
    for fmt in TIMESTAMP_FORMATS:
        try:
            return pd.Timestamp(pd.to_datetime(text, format=fmt))
        except (ValueError, TypeError):
            continue
    return None


def load_csv(path: Path, shown: str | None = None) -> pd.Series:
    """Read ``timestamp,value`` rows; raise ``HistoryError`` pointing at the first bad line."""
    shown = shown or str(path)
    if not path.is_file():
        raise HistoryError(shown, 1, "no such file")
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise HistoryError(shown, 1, f"cannot read: {exc.strerror}") from None
    stamps: list[pd.Timestamp] = []
    values: list[float] = []
    with handle:
        try:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise HistoryError(shown, 1, "file is empty")
            if [h.strip().lower() for h in header] != ["timestamp", "value"]:
                raise HistoryError(shown, 1, f"header must be 'timestamp,value', not {','.join(header)!r}")
            for row in reader:
                line = reader.line_num
                if not row or all(not cell.strip() for cell in row):
                    continue
                if len(row) != 2:
                    raise HistoryError(shown, line, f"expected 2 columns (timestamp,value), found {len(row)}")
                stamp = _parse_time(row[0].strip())
                if stamp is None:
                    raise HistoryError(shown, line, f"timestamp {row[0].strip()!r} is not 'YYYY-MM-DD HH:MM:SS'")
                try:
                    value = float(row[1])
                except ValueError:
                    raise HistoryError(shown, line, f"value {row[1].strip()!r} is not a number") from None
                if not math.isfinite(value) or value < 0:
                    raise HistoryError(shown, line, f"value {row[1].strip()!r} must be a finite number ≥ 0")
                if stamps and stamp <= stamps[-1]:
                    raise HistoryError(shown, line, f"timestamp {row[0].strip()} is not after the previous row's")
                stamps.append(stamp)
                values.append(value)
                if len(values) > MAX_ROWS:
                    raise HistoryError(shown, line, f"more than {MAX_ROWS} rows")
        except UnicodeDecodeError as exc:
            raise HistoryError(shown, 1, f"not UTF-8 text ({exc.reason})") from None
        except csv.Error as exc:
            raise HistoryError(shown, reader.line_num, f"invalid CSV: {exc}") from None
    if len(values) < 2:
        raise HistoryError(shown, 1, "needs at least two samples")
    return pd.Series(values, index=pd.DatetimeIndex(stamps, name="timestamp"), name="value", dtype=float)


def load_prometheus(
    url: str,
    query: str,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    step: pd.Timedelta,
    timeout: float = 30.0,
) -> pd.Series:
    """Run ``query`` as a range query (``/api/v1/query_range``) and return its single series.

    Timestamps come back as naive UTC (Prometheus' own clock). Prometheus caps a range
    query at 11,000 points, so long ranges are fetched in chunks.
    """
    shown = url
    if not url.startswith(("http://", "https://")):
        raise HistoryError(shown, 1, "--prometheus must be an http:// or https:// URL")
    base = url.rstrip("/") + "/api/v1/query_range"
    chunk = step * 10_000
    parts: list[pd.Series] = []
    lo = start
    while lo <= end:
        hi = min(end, lo + chunk)
        params = urllib.parse.urlencode(
            {"query": query, "start": f"{lo.timestamp():.3f}", "end": f"{hi.timestamp():.3f}",
             "step": f"{step.total_seconds():g}s"}
        )
        try:
            with urllib.request.urlopen(f"{base}?{params}", timeout=timeout) as response:
                body = json.load(response)
        except urllib.error.HTTPError as exc:
            try:
                detail = json.load(exc).get("error", exc.reason)
            except (ValueError, AttributeError):
                detail = exc.reason
            raise HistoryError(shown, 1, f"query failed ({exc.code}): {detail}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise HistoryError(shown, 1, f"cannot query Prometheus: {getattr(exc, 'reason', exc)}") from None
        if body.get("status") != "success":
            raise HistoryError(shown, 1, f"query failed: {body.get('error', 'unknown error')}")
        result = body.get("data", {}).get("result", [])
        if len(result) > 1:
            raise HistoryError(shown, 1, f"query returned {len(result)} series; aggregate it to one (e.g. sum(...))")
        if result:
            samples = result[0].get("values", [])
            stamps = pd.to_datetime([float(s[0]) for s in samples], unit="s")
            parts.append(pd.Series([float(s[1]) for s in samples], index=stamps, dtype=float))
        lo = hi + step
    if not parts:
        raise HistoryError(shown, 1, f"query {query!r} returned no data between {start} and {end}")
    series = pd.concat(parts)
    series = series[~series.index.duplicated(keep="first")].sort_index()
    series = series[np.isfinite(series.to_numpy())].clip(lower=0.0)
    series.index.name, series.name = "timestamp", "value"
    if len(series) < 2:
        raise HistoryError(shown, 1, f"query {query!r} returned fewer than two samples")
    return series


def regularize(history: pd.Series) -> Regular:
    """Place samples on a fixed grid anchored at the first timestamp, step = median spacing.

    Samples falling into the same grid cell are averaged; empty cells are ``NaN`` (gaps).
    """
    if len(history) < 2:
        raise ValueError("a history needs at least two samples")
    diffs = np.diff(history.index.to_numpy()).astype("timedelta64[s]").astype(np.int64)
    seconds = max(60, int(np.median(diffs)))
    step = pd.Timedelta(seconds=seconds)
    origin = history.index[0]
    cell = ((history.index - origin) // step).to_numpy()
    grouped = pd.Series(history.to_numpy(), index=cell).groupby(level=0).mean()
    full = np.full(int(cell[-1]) + 1, np.nan)
    full[grouped.index.to_numpy()] = grouped.to_numpy()
    index = pd.date_range(origin, periods=len(full), freq=step, name="timestamp")
    return Regular(values=pd.Series(full, index=index, name="value"), step=step)
