"""``tenantctl backup``: a signed archive of tenants/, stacks/ and each stack's exported state."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tenantctl.common import EXIT_USAGE, project_root
from tenantctl.fleet import automation
from tenantctl.fleet.archive import Exporter, create_backup
from tenantctl.fleet.backup_key import BackupKeyError, load_key
from tenantctl.fleet.runner import Operation, StackRun

KEY_FILE_HELP = "File holding the backup key (default: $TENANTCTL_BACKUP_KEY_FILE, else $TENANTCTL_BACKUP_KEY)."


def stack_names(root: Path) -> list[str]:
    folder = root / "stacks"
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in folder.glob("Pulumi.*.yaml")) if folder.is_dir() else []


def make_exporter(root: Path, backend: str | None) -> Exporter | None:
    """``pulumi stack export`` per stack through the Automation API, or None without a CLI."""
    if automation.pulumi_cli() is None:
        return None
    runner = automation.AutomationRunner()
    backend_url = automation.resolve_backend(root, backend)

    def export(stack: str) -> dict[str, object]:
        job = StackRun(
            tenant_id=stack, stack=stack, operation=Operation.refresh, work_dir=root,
            config_file=root / "stacks" / f"Pulumi.{stack}.yaml", backend_url=backend_url, log_file=Path("/dev/null"),
        )
        return runner.export(job)

    return export


def backup(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Folder for the archive (default: out/backups/).")
    ] = None,
    backend: Annotated[
        str | None, typer.Option("--backend", help="State backend URL (default: PULUMI_BACKEND_URL, else state/).")
    ] = None,
    key_file: Annotated[Path | None, typer.Option("--key-file", help=KEY_FILE_HELP)] = None,
) -> None:
    """Write a signed .tar.gz of tenants/, stacks/ and (CLI and backend permitting) `pulumi stack export` per stack."""
    try:
        key = load_key(key_file)
    except BackupKeyError as exc:
        print(str(exc), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    root = project_root()
    archive, warnings = create_backup(
        root, output or root / "out" / "backups", stack_names(root), make_exporter(root, backend), key
    )
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(str(archive))


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
