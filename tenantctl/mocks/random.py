"""pulumi_random under mocks: deterministic, obviously fake values (always marked secret by the SDK)."""

from __future__ import annotations

from typing import Any


def outputs(type_: str, name: str, inputs: dict[str, Any], rid: str) -> dict[str, Any]:
    if type_ == "random:index/randomPassword:RandomPassword":
        length = int(inputs.get("length", 32))
        return {"result": ("mock" + rid * 8)[:length], "bcryptHash": "$2a$10$mock"}
    if type_ == "random:index/randomId:RandomId":
        return {"hex": rid[:16], "b64Url": rid[:11], "dec": str(int(rid[:12], 16))}
    if type_ == "random:index/randomString:RandomString":
        return {"result": rid[: int(inputs.get("length", 8))]}
    return {}


def invoke(token: str, args: dict[str, Any]) -> dict[str, Any] | None:
    return None
