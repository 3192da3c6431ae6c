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
        # One line per problem, always `path:line: field: message`: CI annotations and editors parse these.
        # A problem of the file as a whole (syntax, size) names the field "document".
        # A field never holds a colon (stack config keys do: `ns:key` is shown as `ns.key`) so the format stays parseable.
        field = " ".join(self.field.replace(":", ".").split()) or "document"
        message = " ".join(self.message.split()) or "invalid"
        return f"{self.path}:{self.line}: {field}: {message}"


class SpecErrors(Exception):  # noqa: N818 (a collection of errors, raised as one)
    """One or more problems in tenant files; nothing may be rendered."""

    def __init__(self, errors: list[SpecError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors
