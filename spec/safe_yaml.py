"""YAML as data, within bounds: the one reader of tenant files and stack files.

ruamel's pure-Python parser is slow on pathological input (a thousand ``[`` on one
line takes seconds, ten thousand minutes) and its composer recurses, so the bounds
are enforced before anything is composed:

1. bytes: size, UTF-8, and at most ``MAX_LINE_OPENERS`` flow openers (``[``/``{``) per
   line, counted on the raw text, because that is the input the scanner chokes on;
2. the event stream, consumed lazily and abandoned at the first excess: nesting depth,
   number of nodes, scalar and key length, integer digits, non-finite floats, impossible
   dates and offsets, anchors, aliases, tags, non-scalar and duplicate keys;
3. only then the round-trip load (which keeps line numbers for later messages).

Every problem is a ``SpecError`` with the line it is on.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    Event,
    MappingStartEvent,
    ScalarEvent,
)

from spec.errors import SpecError, SpecErrors

MAX_BYTES = 64 * 1024  # a tenant file is a page of YAML; anything bigger is a mistake or an attack
MAX_DEPTH = 64
MAX_NODES = 2000
MAX_SCALAR = 4096  # characters of one value
MAX_KEY = 128  # characters of one key
MAX_INT_DIGITS = 18  # fits an int64; nothing in a tenant needs more
MAX_LINE_OPENERS = 32

_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9_]*|0[oO]?[0-7_]+|0[xX][0-9a-fA-F_]+|0[bB][01_]+)$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$")
_NON_FINITE = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$")
_TIMESTAMP = re.compile(
    r"^(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})(?:\.[0-9]*)?"
    r"(?:[ \t]*(?P<tz>Z|[-+](?P<tzh>[0-9]{1,2})(?::?(?P<tzm>[0-9]{2}))?))?)?$"
)


@dataclass
class _Level:
    """One open collection while walking the events."""

    mapping: bool
    path: tuple[str, ...]
    expect_key: bool = True
    key: str | None = None
    index: int = 0
    keys: set[str] = field(default_factory=set)


def _line(event: Event) -> int:
    return event.start_mark.line + 1 if event.start_mark is not None else 1


def _field(path: tuple[str, ...]) -> str:
    shown = ".".join(path) or "document"
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _scalar_problem(event: ScalarEvent) -> str | None:
    """Why a plain scalar cannot become a value (the resolver would fail or overflow on it)."""
    value = event.value
    if event.style is not None:  # quoted or block scalars are strings: nothing to resolve
        return None
    if _INT.match(value):
        digits = len(value.lstrip("+-").replace("_", ""))
        if digits > MAX_INT_DIGITS:
            return f"integer of {digits} digits (at most {MAX_INT_DIGITS})"
        return None
    if _NON_FINITE.match(value):
        return f"{value} is not a finite number"
    if _FLOAT.match(value) and any(c.isdigit() for c in value):
        if len(value) > 64 or not math.isfinite(float(value.replace("_", ""))):
            return f"{value[:40]!r} is not a finite number of reasonable size"
        return None
    match = _TIMESTAMP.match(value)
    if match:
        return _timestamp_problem(match)
    return None


def _timestamp_problem(match: re.Match[str]) -> str | None:
    parts = match.groupdict()
    try:
        dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        if parts["hour"] is not None:
            dt.time(int(parts["hour"]), int(parts["minute"]), int(parts["second"]))
        if parts["tzh"] is not None and (int(parts["tzh"]) > 23 or int(parts["tzm"] or 0) > 59):
            return f"{match.group(0)!r} has an offset outside -23:59..+23:59"
    except ValueError as exc:
        return f"{match.group(0)!r} is not a valid date or time ({exc})"
    return None


def _check_bytes(data: bytes, shown: str, kind: str) -> str:
    if len(data) > MAX_BYTES:
        raise SpecErrors([SpecError(shown, 1, "document", f"file is larger than {MAX_BYTES // 1024} KiB")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SpecErrors([SpecError(shown, line, "document", f"not UTF-8 text ({exc.reason})")]) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise SpecErrors([SpecError(shown, line, "document", f"{kind} must be text (found a NUL byte)")])
    for number, line_text in enumerate(text.splitlines(), start=1):
        if line_text.count("[") + line_text.count("{") > MAX_LINE_OPENERS:
            raise SpecErrors(
                [SpecError(shown, number, "document", f"more than {MAX_LINE_OPENERS} '[' or '{{' on one line")]
            )
    return text


def _check_events(yaml: YAML, text: str, shown: str, kind: str) -> None:
    """Walk the event stream once, lazily, refusing the first event out of bounds."""
    stack: list[_Level] = []
    nodes = 0

    def fail(event: Event, path: tuple[str, ...], message: str) -> SpecErrors:
        return SpecErrors([SpecError(shown, _line(event), _field(path), message)])

    for event in yaml.parse(text):
        if isinstance(event, CollectionEndEvent):
            finished = stack.pop()
            if stack:
                _advance(stack[-1])
            del finished
            continue
        if not isinstance(event, (ScalarEvent, CollectionStartEvent, AliasEvent)):
            continue
        parent = stack[-1] if stack else None
        at_key = parent is not None and parent.mapping and parent.expect_key
        path = _path_of(parent)
        nodes += 1
        if nodes > MAX_NODES:
            raise fail(event, path, f"more than {MAX_NODES} values in one file")
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
            raise fail(event, path, f"YAML anchors and aliases are not allowed in {kind}")
        tag = getattr(event, "tag", None)
        if tag is not None:
            raise fail(event, path, f"YAML tags are not allowed in {kind} ({str(tag)[:40]})")
        if isinstance(event, CollectionStartEvent):
            if at_key:
                raise fail(event, path, "a key must be a plain value, not a list or mapping")
            if len(stack) >= MAX_DEPTH:
                raise fail(event, path, f"nested deeper than {MAX_DEPTH} levels")
            stack.append(_Level(mapping=isinstance(event, MappingStartEvent), path=path))
            continue
        assert isinstance(event, ScalarEvent)
        if at_key:
            assert parent is not None
            key = event.value
            if len(key) > MAX_KEY:
                raise fail(event, path, f"key longer than {MAX_KEY} characters")
            if key in parent.keys:
                raise fail(event, (*parent.path, key), f'duplicate key "{key}"')
            parent.keys.add(key)
            parent.key = key
            parent.expect_key = False
            continue
        if len(event.value) > MAX_SCALAR:
            raise fail(event, path, f"value longer than {MAX_SCALAR} characters")
        problem = _scalar_problem(event)
        if problem:
            raise fail(event, path, problem)
        if parent is not None:
            _advance(parent)


def _path_of(level: _Level | None) -> tuple[str, ...]:
    if level is None:
        return ()
    if level.mapping:
        return level.path if level.expect_key or level.key is None else (*level.path, level.key)
    return (*level.path, str(level.index))


def _advance(level: _Level) -> None:
    """A value of ``level`` is complete: a mapping expects its next key, a list its next index."""
    if level.mapping:
        level.expect_key = True
    else:
        level.index += 1


def _round_trip() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def load_document(path: Path, shown: str, kind: str = "tenant files") -> Any:
    """The document of ``path`` (round-trip types, line numbers kept), or ``SpecErrors``."""
    if not path.is_file():  # a folder, a FIFO (reading it would block) or a device is not a file of ours
        raise SpecErrors([SpecError(shown, 1, "document", "not a regular file")])
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)  # never more than the bound into memory
    except OSError as exc:
        raise SpecErrors([SpecError(shown, 1, "document", f"cannot be read ({exc.strerror or exc})")]) from None
    return load_text(data, shown, kind)


def load_text(data: bytes, shown: str, kind: str = "tenant files") -> Any:
    text = _check_bytes(data, shown, kind)
    yaml = _round_trip()
    try:
        _check_events(yaml, text, shown, kind)
        return _round_trip().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "duplicate key" in problem or "found duplicate key" in str(exc):
            problem = "duplicate key " + str(exc).split('duplicate key "', 1)[-1].split('"', 1)[0].join('""')
        raise SpecErrors([SpecError(shown, line, "document", problem)]) from None
    except YAMLError as exc:
        first = (str(exc).splitlines() or ["invalid YAML"])[0]
        raise SpecErrors([SpecError(shown, 1, "document", f"invalid YAML: {first}")]) from None
    except (ValueError, OverflowError, TypeError, RecursionError) as exc:
        # The checks above should make these unreachable; a value the resolver still refuses stays a clean error.
        raise SpecErrors([SpecError(shown, 1, "document", f"invalid YAML value ({type(exc).__name__}: {exc})")]) from None


def require_mapping(document: Any, shown: str, what: str) -> CommentedMap:
    if document is None:
        raise SpecErrors([SpecError(shown, 1, "document", "file is empty")])
    if not isinstance(document, CommentedMap):
        raise SpecErrors([SpecError(shown, 1, "document", f"{what} must be a mapping of keys to values")])
    return document


def plain(node: Any) -> Any:
    """ruamel's round-trip types → plain Python, so validation sees ordinary values."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, dt.datetime):
        return node.date() if (node.hour, node.minute, node.second) == (0, 0, 0) else node
    if isinstance(node, str):
        return str(node)
    return node
