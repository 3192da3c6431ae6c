"""AWS under mocks (stub, extended with the AWS components)."""

from __future__ import annotations

from typing import Any


def outputs(type_: str, name: str, inputs: dict[str, Any], rid: str) -> dict[str, Any]:
    service = type_.split(":")[1].split("/")[0]
    return {"arn": f"arn:aws:{service}:eu-west-1:123456789012:{name}"}


def invoke(token: str, args: dict[str, Any]) -> dict[str, Any] | None:
    return None
