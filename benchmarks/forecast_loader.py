"""The CSV loader before and after vectorising, and one ``tenantctl forecast`` process, measured in one run.

``legacy_load_csv`` is the loader as it was (one ``pd.to_datetime`` per row trying each
format in turn), kept here only as the "before". Both load the same generated files, of
13.8k rows (48 days of 5-minute samples) and 200k rows, at the ``:02:53`` phase of the
NAB traces; the medians of ``--repeat`` runs and their ratio are printed. Then one
``tenantctl forecast`` process on a 60-day 5-minute file: wall seconds, and the model's
share (``forecast()`` alone, in process).

    python benchmarks/forecast_loader.py [--repeat 5]
"""

from __future__ import annotations

import csv
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tenantctl.forecast.history import HistoryError, load_csv  # noqa: E402
from tenantctl.forecast.model import forecast  # noqa: E402

MAX_ROWS = 2_000_000
TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")


def _parse_time(text: str) -> pd.Timestamp | None:
    for fmt in TIMESTAMP_FORMATS:
        try:
            return pd.Timestamp(pd.to_datetime(text, format=fmt))
        except (ValueError, TypeError):
            continue
    return None


def legacy_load_csv(path: Path, shown: str | None = None) -> pd.Series:
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


def write_trace(path: Path, rows: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2024-01-01 00:02:53", periods=rows, freq="5min")
    busy = (index.dayofweek < 5) & (index.hour >= 9) & (index.hour < 17)
    values = np.round(np.where(busy, 400.0, 100.0) * rng.lognormal(0.0, 0.2, rows), 3)
    pd.DataFrame({"timestamp": index.strftime("%Y-%m-%d %H:%M:%S"), "value": values}).to_csv(path, index=False)


def median_seconds(call: object, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main(argv: list[str]) -> int:
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 5
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'rows':>8}  {'before s':>9}  {'after s':>8}  {'speed-up':>8}   (medians of {repeat})")
        for rows in (13_800, 200_000):
            path = Path(folder) / f"trace_{rows}.csv"
            write_trace(path, rows)
            new, old = load_csv(path), legacy_load_csv(path)
            assert new.index.equals(old.index) and np.array_equal(new.to_numpy(), old.to_numpy())
            runs = repeat if rows < 100_000 else max(1, repeat // 2)
            before = median_seconds(lambda p=path: legacy_load_csv(p), runs)
            after = median_seconds(lambda p=path: load_csv(p), repeat)
            print(f"{rows:>8}  {before:>9.3f}  {after:>8.3f}  {before / after:>7.1f}×")
        sixty = Path(folder) / "sixty_days.csv"
        write_trace(sixty, 60 * 288)
        series = load_csv(sixty)
        params = dict(capacity=float(series.quantile(0.99)) / 20, target=0.7, min_replicas=1, max_replicas=200)
        model = median_seconds(lambda: forecast(series, horizon=pd.Timedelta(days=1), **params), repeat)
        command = [sys.executable, "-m", "tenantctl", "forecast", "--metrics", str(sixty),
                   "--capacity-per-replica", f"{params['capacity']:g}", "--target-utilization", "0.7",
                   "--min-replicas", "1", "--max-replicas", "200", "--horizon", "1d", "--format", "json"]
        walls = []
        for _ in range(repeat):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
            walls.append(time.perf_counter() - started)
        print(f"tenantctl forecast, 60 days × 5 min ({len(series)} rows): {statistics.median(walls):.2f} s wall "
              f"per process, of which forecast() {model:.2f} s (medians of {repeat})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
