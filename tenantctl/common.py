"""What every command shares: the project root, exit codes, loading tenants with clean errors."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console

from spec.errors import SpecErrors
from spec.loader import TenantFile, load_tenants

EXIT_OK = 0
EXIT_POLICY = 1  # a mandatory policy is violated (or an operation failed)
EXIT_USAGE = 2  # bad input: nothing rendered, nothing changed

err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def project_root() -> Path:
    """The folder holding ``Pulumi.yaml``: the current one or an ancestor, else the package's checkout."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "Pulumi.yaml").exists():
            return folder
    return Path(__file__).resolve().parent.parent


def default_paths(paths: list[Path] | None) -> list[Path]:
    return list(paths) if paths else [project_root() / "tenants"]


def load_or_exit(paths: list[Path]) -> list[TenantFile]:
    """Tenants, or every error as ``path:line: field: message`` and exit 2."""
    try:
        tenants = load_tenants(paths, root=Path.cwd())
    except SpecErrors as exc:
        for error in exc.errors:
            print(str(error), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    if not tenants:
        print(f"{', '.join(map(str, paths))}:1: no tenant files found", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    return tenants
