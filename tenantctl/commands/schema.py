"""``tenantctl schema``: regenerate (or check) the tenant JSON Schema from the models."""

from __future__ import annotations

from typing import Annotated

import typer

from spec.schema import SCHEMA_PATH, render_schema, write_schema


def schema(
    check: Annotated[bool, typer.Option("--check", help="Exit 1 if the committed schema is stale.")] = False,
) -> None:
    """Write spec/tenant.schema.json from the pydantic models."""
    if check:
        current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
        if current != render_schema():
            typer.echo(f"{SCHEMA_PATH}: stale; run `tenantctl schema`", err=True)
            raise typer.Exit(1)
        typer.echo(f"{SCHEMA_PATH}: up to date")
        return
    changed = write_schema()
    typer.echo(f"{SCHEMA_PATH}: {'written' if changed else 'unchanged'}")


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)
