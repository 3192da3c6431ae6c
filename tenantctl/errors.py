"""Errors the CLI turns into one line and an exit code (kept free of heavy imports)."""

from __future__ import annotations


class RenderError(Exception):
    """The program failed for one tenant (a component bug or an impossible stack config)."""

    def __init__(self, path: object, tenant_id: str, cause: BaseException) -> None:
        detail = " ".join(str(cause).split()) or type(cause).__name__
        super().__init__(f"{path}:1: rendering {tenant_id} failed: {detail}")
