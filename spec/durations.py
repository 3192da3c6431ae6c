"""Durations written the way operators write them: ``500ms``, ``30s``, ``5m``, ``12h``, ``30d``, ``2w``."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# At most 9 digits before and 6 after the point: 999999999w is already past what timedelta holds, and
# a 400-digit number must be refused by the pattern, not by an OverflowError deep in datetime.
DURATION_PATTERN = r"^\s*(\d{1,9}(?:\.\d{1,6})?)\s*(ms|s|m|h|d|w)\s*$"
_RE = re.compile(DURATION_PATTERN)
MAX_DURATION = timedelta(days=36525)  # a century: longer than any retention, window or latency anyone means


def parse_duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError("must be a duration string such as 500ms, 30s, 5m, 12h, 30d or 2w")
    match = _RE.match(value) if len(value) <= 64 else None
    if not match:
        shown = value if len(value) <= 40 else value[:37] + "..."
        raise ValueError(f"{shown!r} is not a duration (use a number and one of ms, s, m, h, d, w)")
    number, unit = match.groups()
    seconds = float(number) * _UNITS[unit]
    if seconds > MAX_DURATION.total_seconds():
        raise ValueError(f"{value.strip()!r} is longer than {MAX_DURATION.days}d")
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    seconds = value.total_seconds()
    for unit in ("w", "d", "h", "m", "s"):
        size = _UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{round(seconds * 1000)}ms"


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN.replace(r"\s*", "")}),
]
