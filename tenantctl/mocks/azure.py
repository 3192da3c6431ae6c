"""azure under mocks (stub, extended with the azure components)."""

from __future__ import annotations

from typing import Any


def outputs(type_: str, name: str, inputs: dict[str, Any], rid: str) -> dict[str, Any]:
    return {}


def invoke(token: str, args: dict[str, Any]) -> dict[str, Any] | None:
    return None
