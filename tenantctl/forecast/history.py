"""Demand history: loading (CSV or Prometheus), validation with line numbers, and regularisation.

A history is a ``pandas.Series`` of non-negative floats indexed by naive, strictly
ascending timestamps in the source's own clock. ``regularize`` puts it on a fixed
grid (the median step) and leaves gaps as ``NaN``: nothing is invented for an
outage, so the model sees a gap rather than a fake valley or plateau.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tenantctl.forecast.errors import HistoryError

__all__ = ["HistoryError", "Regular", "load_csv", "load_prometheus", "regularize"]

MAX_ROWS = 2_000_000  # ~19 years of 5-minute samples; anything bigger is not one tenant's history
MAX_BYTES = 128 * 1024 * 1024  # 2M rows of 'YYYY-MM-DD HH:MM:SS,value' are ~60 MB; refuse before reading more
MAX_CELLS = 4_000_000  # grid cells (span ÷ step): bounds the model's memory whatever the timestamps say
MAX_VALUE = 1e15  # larger demands overflow replica arithmetic; no metric of one tenant is that large
TIMESTAMP_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%f",
)


@dataclass(frozen=True)
class Regular:
    """A history on a fixed grid: ``values`` has ``NaN`` where nothing was observed."""

    values: pd.Series
    step: pd.Timedelta

    @property
    def steps_per_hour(self) -> float:
        return pd.Timedelta(hours=1) / self.step


def _read(path: Path, shown: str) -> bytes:
    if not path.is_file():
        raise HistoryError(shown, 1, "no such file")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise HistoryError(shown, 1, f"file is {size:,} bytes; at most {MAX_BYTES:,}")
        data = path.read_bytes()
    except OSError as exc:
        raise HistoryError(shown, 1, f"cannot read: {exc.strerror}") from None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise HistoryError(shown, line, f"not UTF-8 text ({exc.reason})") from None
    return data.removeprefix(b"\xef\xbb\xbf")


def _columns(data: bytes, shown: str) -> tuple[pd.Series, pd.Series, np.ndarray] | None:
    """The fast path: row structure checked with numpy over the bytes, cells parsed by pandas' C reader.

    ``None`` when the file needs the csv module's rules (quoted cells, bare ``\\r`` line
    ends, blank rows made of commas); the caller then takes ``_rows``.
    """
    if b'"' in data or data.count(b"\r") != data.count(b"\r\n"):
        return None
    raw = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(raw == 10)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(raw)]])
    if starts[-1] == len(raw):  # the file ends with a newline: no row after it
        starts, ends = starts[:-1], ends[:-1]
    if len(starts) == 0:
        raise HistoryError(shown, 1, "file is empty")
    # per line: commas, and characters other than spaces and commas (a line's sum runs to the next
    # line's start, so its newline is included: it is neither)
    per_line = np.add.reduceat(raw == 44, starts, dtype=np.int64)
    content = np.add.reduceat(~np.isin(raw, np.frombuffer(b" \t\r\n,", dtype=np.uint8)), starts, dtype=np.int64)
    empty = starts == ends  # reduceat gives the next character there: a newline, neither comma nor content
    per_line[empty], content[empty] = 0, 0
    blank = content == 0
    _header(data[starts[0]:ends[0]].decode("utf-8"), shown)
    if len(starts) - 1 > MAX_ROWS:
        raise HistoryError(shown, MAX_ROWS + 2, f"more than {MAX_ROWS} rows")
    per_line, blank = per_line[1:], blank[1:]
    if (blank & (per_line > 0)).any():
        return None
    wrong = ~blank & (per_line != 1)
    if wrong.any():
        at = int(np.flatnonzero(wrong)[0])
        raise HistoryError(shown, at + 2, f"expected 2 columns (timestamp,value), found {int(per_line[at]) + 1}")
    if blank.all():
        return pd.Series([], dtype=object), pd.Series([], dtype=object), np.array([], dtype=np.int64)
    import io

    frame = None
    if not blank.any():  # values straight to float64 in C; any odd cell sends us to the string path
        try:
            frame = pd.read_csv(io.BytesIO(data), header=None, skiprows=1, names=["timestamp", "value"],
                                dtype={"timestamp": str, "value": np.float64}, skip_blank_lines=False,
                                na_filter=False, engine="c", encoding="utf-8", float_precision="round_trip")
        except ValueError:
            frame = None
    if frame is None:
        frame = pd.read_csv(io.BytesIO(data), header=None, skiprows=1, names=["timestamp", "value"], dtype=str,
                            skip_blank_lines=False, na_filter=False, engine="c", encoding="utf-8")
    if len(frame) != len(blank):  # a row structure pandas reads differently: take the careful path
        return None
    keep = ~blank
    lines = np.flatnonzero(keep) + 2
    return frame["timestamp"][keep].reset_index(drop=True), frame["value"][keep].reset_index(drop=True), lines


def _header(line: str, shown: str) -> None:
    header = line.rstrip("\r").split(",")
    if [h.strip().lower() for h in header] != ["timestamp", "value"]:
        raise HistoryError(shown, 1, f"header must be 'timestamp,value', not {','.join(header)!r}")


def _rows(text: str, shown: str) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """The careful path (csv module rules): cells of the data rows, blank rows skipped, and their line numbers."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # any line end, like csv's newline=""
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or not lines[0].strip():
        raise HistoryError(shown, 1, "file is empty")
    if len(lines) - 1 > MAX_ROWS:
        raise HistoryError(shown, MAX_ROWS + 2, f"more than {MAX_ROWS} rows")
    if '"' in text:  # quoted cells: the csv module's rules, still one pass
        import csv

        reader = csv.reader(lines)
        try:
            cells = [row for row in reader]
        except csv.Error as exc:
            raise HistoryError(shown, reader.line_num, f"invalid CSV: {exc}") from None
    else:
        cells = [line.rstrip("\r").split(",") for line in lines]
    _header(",".join(cells[0]), shown)
    stamps: list[str] = []
    values: list[str] = []
    numbers: list[int] = []
    for number, row in enumerate(cells[1:], start=2):
        if len(row) == 2 and row[0] and row[1]:  # the common case, no stripping needed to know it is a row
            stamps.append(row[0])
            values.append(row[1])
            numbers.append(number)
            continue
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != 2:
            raise HistoryError(shown, number, f"expected 2 columns (timestamp,value), found {len(row)}")
        stamps.append(row[0])
        values.append(row[1])
        numbers.append(number)
    return pd.Series(stamps, dtype=object), pd.Series(values, dtype=object), np.asarray(numbers, dtype=np.int64)


def _timestamps(cells: pd.Series, lines: np.ndarray, shown: str) -> pd.DatetimeIndex:
    """One format detected from the first row and parsed over the whole column; other formats only for misses.

    Each format is tried at most once on the raw cells and once more on the misses with
    their surrounding spaces stripped: a handful of vectorised passes, never one per row.
    """
    first = cells.iloc[0].strip()
    order = [f for f in TIMESTAMP_FORMATS if not pd.isna(pd.to_datetime(first, format=f, errors="coerce"))]
    order += [f for f in TIMESTAMP_FORMATS if f not in order]
    parsed = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[ns]")
    missing = np.ones(len(cells), dtype=bool)
    for stripped in (False, True):
        if stripped:
            cells = cells.where(~missing, cells[missing].str.strip())
        for fmt in order:
            parsed[missing] = pd.to_datetime(cells[missing], format=fmt, errors="coerce")
            missing = parsed.isna().to_numpy()
            if not missing.any():
                return pd.DatetimeIndex(parsed.to_numpy(), name="timestamp")
    at = int(np.flatnonzero(missing)[0])
    raise HistoryError(shown, int(lines[at]), f"timestamp {cells.iloc[at].strip()!r} is not 'YYYY-MM-DD HH:MM:SS'")


def _values(cells: pd.Series, lines: np.ndarray, shown: str) -> np.ndarray:
    try:
        values = cells.to_numpy(dtype=np.float64)  # float()'s syntax, spaces around included; floats pass
    except ValueError:  # find the first bad cell; only on the error path
        for text, line in zip(cells, lines, strict=True):
            try:
                float(text)
            except ValueError:
                raise HistoryError(shown, int(line), f"value {text.strip()!r} is not a number") from None
        raise  # unreachable: numpy and float() accept the same strings
    bad = ~np.isfinite(values) | (values < 0) | (values > MAX_VALUE)
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        shown_value = str(cells.iloc[at]).strip() if cells.dtype == object else f"{values[at]:g}"
        raise HistoryError(shown, int(lines[at]),
                           f"value {shown_value!r} must be a finite number ≥ 0 and at most {MAX_VALUE:g}")
    return values


def load_csv(path: Path, shown: str | None = None) -> pd.Series:
    """Read ``timestamp,value`` rows; raise ``HistoryError`` pointing at the first bad line.

    Refused (``path:line: message``): a file over ``MAX_BYTES`` or ``MAX_ROWS`` rows, a
    header other than ``timestamp,value``, a row without exactly two cells, a timestamp
    in none of ``TIMESTAMP_FORMATS`` (naive, the file's own clock), a value that is not a
    number, ``NaN``, infinite, negative or above ``MAX_VALUE``, timestamps not strictly
    ascending, fewer than two rows, and a span of more than ``MAX_CELLS`` steps. Blank
    rows are skipped. The format is detected once from the first row and parsed over the
    whole column (rows in another listed format are parsed in one more pass each), so a
    200k-row file loads in a fraction of a second.
    """
    shown = shown or str(path)
    data = _read(path, shown)
    columns = _columns(data, shown)
    if columns is None:
        columns = _rows(data.decode("utf-8"), shown)
    stamps, cells, lines = columns
    if len(lines) == 0:
        raise HistoryError(shown, 1, "needs at least two samples")
    index = _timestamps(stamps, lines, shown)
    values = _values(cells, lines, shown)
    if len(lines) < 2:  # after the cells' own checks, so that a bad single row is named
        raise HistoryError(shown, 1, "needs at least two samples")
    ns = index.asi8
    order = ns[1:] <= ns[:-1]  # not np.diff: centuries apart in nanoseconds overflow int64
    if order.any():
        at = int(np.flatnonzero(order)[0]) + 1
        raise HistoryError(shown, int(lines[at]),
                           f"timestamp {stamps.iloc[at].strip()} is not after the previous row's")
    step = max(60e9, float(np.median(np.diff(ns.astype(np.float64)))))  # regularize's grid step
    span = int(ns[-1]) - int(ns[0])
    if span / step + 1 > MAX_CELLS:
        raise HistoryError(shown, int(lines[-1]), f"spans {span / 86400e9:,.0f} days at a "
                           f"{step / 60e9:g}-minute step: more than {MAX_CELLS:,} steps")
    return pd.Series(values, index=index, name="value", dtype=float)


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
    query at 11,000 points, so long ranges are fetched in chunks. ``NaN`` (stale markers)
    and infinite samples are dropped, so they become gaps; negative samples (a ``rate``
    across a counter reset, a gauge offset) are counted as 0 demand.
    """
    import urllib.error  # here, not at the top: a CSV forecast need not load http, ssl and email
    import urllib.parse
    import urllib.request

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
