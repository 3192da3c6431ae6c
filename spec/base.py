"""The one strict base every spec model derives from."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Unknown keys are errors (a typo must never silently fall back to a default)."""

    # strict: YAML's "2" stays a string and is refused where a number is meant, no silent coercion.
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, strict=True)


class FieldError(ValueError):
    """A cross-field rule broken at ``loc`` (relative to the model raising it).

    Pydantic reports a model validator's error at the model itself; the loader
    reads ``loc`` from this exception so the message points at the offending key.
    """

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


def _tier_defaulted(schema: dict[str, Any]) -> None:
    """In the published JSON Schema nothing under tenant_config is required: the tier fills it."""
    schema.pop("required", None)


# For every model under tenant_config: the loader merges the tier's defaults before validation.
TIER_DEFAULTED = ConfigDict(json_schema_extra=_tier_defaulted)
