"""Invariants of the azure resources the components render (see the package docstring)."""

from __future__ import annotations

from . import Invariant

ROWS: list[Invariant] = []
