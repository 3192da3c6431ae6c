"""User-facing errors: ``path:line: field: message``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SpecError:
    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        # One line per problem, always: CI annotations and editors parse these.
        return f"{self.path}:{self.line}:{field} {' '.join(self.message.split())}"


class SpecErrors(Exception):  # noqa: N818 (a collection of errors, raised as one)
    """One or more problems in tenant files; nothing may be rendered."""

    def __init__(self, errors: list[SpecError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors
