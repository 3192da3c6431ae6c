"""What every command shares: the project root, exit codes, loading tenants with clean errors."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import typer
from rich.console import Console

from spec.errors import SpecError, SpecErrors
from spec.loader import TenantFile, load_tenant, load_tenants
from spec.models import DNS_LABEL

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
        raise usage_error(", ".join(map(str, paths)) or "tenants", "document", "no tenant files found")
    return tenants


def usage_error(where: str, field: str, message: str) -> typer.Exit:
    """Print ``where:1: field: message`` and return the exit to raise (exit 2: bad input, nothing changed)."""
    print(str(SpecError(where, 1, field, message)), file=sys.stderr)
    return typer.Exit(EXIT_USAGE)


def check_tenant_id(tenant_id: str, field: str = "TENANT") -> str:
    """A tenant argument is an id (a DNS label), never a path: ``../../outside/x`` names no tenant."""
    if not re.match(DNS_LABEL, tenant_id):
        shown = tenant_id if len(tenant_id) <= 60 else tenant_id[:57] + "..."
        raise usage_error("arguments", field, f"{shown!r} is not a tenant id (a DNS label such as acme-standard)")
    return tenant_id


def tenant_file(root: Path, tenant_id: str) -> tuple[Path, str]:
    """``tenants/<id>.yaml`` of an existing tenant, as a regular file inside ``tenants/`` (no symlink out of it)."""
    check_tenant_id(tenant_id)
    folder = root / "tenants"
    path = folder / f"{tenant_id}.yaml"
    shown = f"tenants/{tenant_id}.yaml"
    if path.is_symlink() or not path.is_file():
        raise usage_error(shown, "document", "no such tenant file" if not path.is_symlink() else "is a symbolic link")
    try:
        path.resolve(strict=True).relative_to(folder.resolve(strict=True))
    except (OSError, ValueError):
        raise usage_error(shown, "document", "is not inside tenants/") from None
    return path, shown


def load_one_or_exit(path: Path, shown: str) -> TenantFile:
    try:
        return load_tenant(path, shown)
    except SpecErrors as exc:
        for error in exc.errors:
            print(str(error), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
