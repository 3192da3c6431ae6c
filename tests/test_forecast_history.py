"""The CSV loader: the same series as a plain row-by-row reading, ``path:line`` errors, and its bounds."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenantctl.forecast import history
from tenantctl.forecast.history import HistoryError, load_csv

FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")


def reference(text: str) -> tuple[list[datetime], list[float]]:
    """What the file says, read row by row with the standard library only."""
    stamps: list[datetime] = []
    values: list[float] = []
    for row in list(csv.reader(io.StringIO(text)))[1:]:
        if not row or all(not c.strip() for c in row):
            continue
        for fmt in FORMATS:
            try:
                stamps.append(datetime.strptime(row[0].strip(), fmt))
                break
            except ValueError:
                continue
        values.append(float(row[1]))
    return stamps, values


def error_of(tmp_path: Path, content: str | bytes) -> str:
    path = tmp_path / "h.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(HistoryError) as caught:
        load_csv(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:") and "\n" not in message
    return message[len(str(path)):]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    gaps=st.lists(st.integers(1, 600), min_size=2, max_size=60),
    values=st.lists(st.floats(0, 1e9, allow_nan=False), min_size=60, max_size=60),
    formats=st.lists(st.sampled_from(FORMATS), min_size=60, max_size=60),
    blanks=st.sets(st.integers(0, 59), max_size=5),
    spaces=st.booleans(),
    crlf=st.booleans(),
)
def test_reads_what_the_rows_say(
    tmp_path: Path, gaps: list[int], values: list[float], formats: list[str], blanks: set[int], spaces: bool,
    crlf: bool,
) -> None:
    t = datetime(2024, 1, 1, 0, 2, 53)
    lines = ["timestamp,value"]
    for i, gap in enumerate(gaps):
        t += timedelta(minutes=gap)
        fmt = formats[i]
        stamp = t.strftime(fmt)
        lines.append(f" {stamp} , {values[i]!r} " if spaces else f"{stamp},{values[i]!r}")
        if i in blanks:
            lines.append("")
    text = ("\r\n" if crlf else "\n").join(lines) + "\n"
    path = tmp_path / "h.csv"
    path.write_text(text, newline="")
    expected_stamps, expected_values = reference(text)
    if any(b <= a for a, b in itertools.pairwise(expected_stamps)):
        with pytest.raises(HistoryError, match="is not after the previous row's"):
            load_csv(path)
        return
    series = load_csv(path)
    assert [ts.to_pydatetime() for ts in series.index] == expected_stamps
    assert series.to_numpy().tolist() == expected_values


def test_bom_quotes_and_blank_rows_keep_line_numbers(tmp_path: Path) -> None:
    content = '\ufefftimestamp,value\n"2024-01-01 00:00:00","1"\n\n,\n2024-01-01 00:05:00,2\n2024-01-01 00:10:00,x\n'
    assert error_of(tmp_path, content) == ":6: value 'x' is not a number"
    assert error_of(tmp_path, "timestamp,value\n2024-01-01 00:00:00,1\n\n   \n2024-01-01 00:05,2,3\n") == (
        ":5: expected 2 columns (timestamp,value), found 3")
    assert error_of(tmp_path, "timestamp,value\n2024-01-01 00:00:00,1\n\n2024-01-01 00:05:00\n") == (
        ":4: expected 2 columns (timestamp,value), found 1")


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "-0.5", "1e308", "", "1,5"])
def test_values_that_are_refused(tmp_path: Path, bad: str) -> None:
    message = error_of(tmp_path, f"timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:05:00,{bad}\n")
    assert message.startswith(":3: ")
    if bad == "1,5":
        assert "found 3" in message
    elif bad == "":
        assert "is not a number" in message
    else:
        assert "must be a finite number ≥ 0 and at most 1e+15" in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("timestamp,value\n2024-01-01 00:00:00,1\n2024-13-01 00:05:00,2\n", ":3: timestamp '2024-13-01 00:05:00'"),
        ("timestamp,value\n01/01/2024 00:00,1\n2024-01-01 00:05:00,2\n", ":2: timestamp '01/01/2024 00:00'"),
        ("timestamp,value\n2024-01-01 00:00:00+00:00,1\n2024-01-01 00:05:00,2\n", ":2: timestamp"),
        ("timestamp,value\n2024-01-01 00:05:00,1\n2024-01-01 00:05:00,2\n", ":3: timestamp 2024-01-01 00:05:00 is"),
        ("timestamp,value\n2024-01-01 00:00:00,1\n", ":1: needs at least two samples"),
        ("timestamp,value\n", ":1: needs at least two samples"),
        ("", ":1: file is empty"),
        ("value,timestamp\n", ":1: header must be 'timestamp,value'"),
    ],
)
def test_path_line_errors(tmp_path: Path, content: str, expected: str) -> None:
    assert error_of(tmp_path, content).startswith(expected)


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    content = b"timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:05:00,\xff\n"
    assert error_of(tmp_path, content).startswith(":3: not UTF-8 text")


def test_bounds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # two rows three centuries apart: the grid would have 30M five-minute cells
    far = "timestamp,value\n" + "".join(f"1800-01-01 00:{m:02d}:00,1\n" for m in (0, 5, 10)) + "2100-01-01 00:00:00,1\n"
    assert "more than 4,000,000 steps" in error_of(tmp_path, far)
    rows = "timestamp,value\n" + "".join(f"2024-01-01 00:{m:02d}:00,1\n" for m in range(30))
    monkeypatch.setattr(history, "MAX_ROWS", 20)
    assert error_of(tmp_path, rows) == ":22: more than 20 rows"
    monkeypatch.setattr(history, "MAX_BYTES", 100)
    assert error_of(tmp_path, rows) == f":1: file is {len(rows):,} bytes; at most 100"


def test_a_large_file_loads_quickly(tmp_path: Path) -> None:
    import time

    import pandas as pd

    index = pd.date_range("2024-01-01 00:02:53", periods=200_000, freq="5min")
    path = tmp_path / "big.csv"
    pd.DataFrame({"timestamp": index.strftime("%Y-%m-%d %H:%M:%S"), "value": np.arange(200_000) % 97}).to_csv(
        path, index=False)
    started = time.perf_counter()
    series = load_csv(path)
    elapsed = time.perf_counter() - started
    assert len(series) == 200_000 and series.index.equals(pd.DatetimeIndex(index, name="timestamp"))
    assert elapsed < 10  # generous for a loaded CI machine; the row-by-row loader took ~28 s
