"""``tenantctl restore``: verify a backup's signature and every file, then restore tenants/ and stacks/."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tenantctl.commands.backup import KEY_FILE_HELP
from tenantctl.common import EXIT_POLICY, EXIT_USAGE, project_root
from tenantctl.fleet import automation
from tenantctl.fleet.archive import ArchiveError, restore_backup
from tenantctl.fleet.backup_key import BackupKeyError, load_key
from tenantctl.fleet.runner import Operation, StackRun


def restore(
    archive: Annotated[Path, typer.Argument(help="Archive written by tenantctl backup.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that differ from the archive.")] = False,
    import_state: Annotated[
        bool, typer.Option("--import-state", help="Also `pulumi stack import` the archived state of each stack.")
    ] = False,
    backend: Annotated[
        str | None, typer.Option("--backend", help="State backend URL (default: PULUMI_BACKEND_URL, else state/).")
    ] = None,
    key_file: Annotated[Path | None, typer.Option("--key-file", help=KEY_FILE_HELP)] = None,
) -> None:
    """Verify the archive's MAC under your key and every file first; refuse to overwrite differing files without --force."""
    root = project_root()
    if import_state and automation.pulumi_cli() is None:
        print(f"error: {automation.INSTALL_HINT}", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    try:
        report = restore_backup(archive, root, load_key(key_file), force=force)
    except BackupKeyError as exc:
        print(str(exc), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    except ArchiveError as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    for name in report.written:
        typer.echo(f"restored {name}")
    typer.echo(f"{len(report.written)} file(s) restored, {len(report.unchanged)} already identical")
    if report.exports and not import_state:
        typer.echo(f"{len(report.exports)} stack export(s) in the archive: pass --import-state to import them")
    if import_state:
        runner = automation.AutomationRunner()
        backend_url = automation.resolve_backend(root, backend)
        failed = []
        for stack, state in sorted(report.exports.items()):
            job = StackRun(
                tenant_id=stack, stack=stack, operation=Operation.refresh, work_dir=root,
                config_file=root / "stacks" / f"Pulumi.{stack}.yaml", backend_url=backend_url,
                log_file=Path("/dev/null"),
            )
            try:
                runner.import_state(job, state)
                typer.echo(f"imported state of {stack}")
            except Exception as exc:
                failed.append(stack)
                print(f"error: {stack}: state not imported ({exc})", file=sys.stderr)
        if failed:
            raise typer.Exit(EXIT_POLICY)


def register(app: typer.Typer) -> None:
    app.command("restore")(restore)
