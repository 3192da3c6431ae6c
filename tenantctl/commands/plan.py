"""``tenantctl plan``: render every tenant offline under Pulumi's mocks, enforce the policy pack, report."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.table import Table

from spec.errors import SpecErrors
from spec.loader import TenantFile
from tenantctl.common import EXIT_POLICY, EXIT_USAGE, default_paths, load_or_exit, project_root, usage_error
from tenantctl.errors import RenderError
from tenantctl.policy.catalog import PACK_DIR
from tenantctl.trust import trust_errors

if TYPE_CHECKING:
    from tenantctl.policy.enforce import TenantVerdict
    from tenantctl.render import RenderedTenant


class PackTransport(StrEnum):
    grpc = "grpc"
    inprocess = "inprocess"


class PlanFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    sarif = "sarif"
    junit = "junit"


def plan_document(rendered: list[RenderedTenant], verdicts: list[TenantVerdict] | None = None) -> dict[str, Any]:
    """The JSON shape of ``plan --format json``; later features add keys, never rename these."""
    by_tenant = {v.rendered.tenant_id: v for v in verdicts or []}
    tenants = []
    for r in rendered:
        entry: dict[str, Any] = {
            "tenant": r.tenant_id,
            "cloud": r.tenant.spec.cloud,
            "stack": r.stack.stack,
            "resources": [res.to_json() for res in r.resources],
            "warnings": r.stack.warnings,
        }
        verdict = by_tenant.get(r.tenant_id)
        if verdict is not None:
            entry["violations"] = [v.to_json() for v in verdict.violations]
            entry["waivers"] = [w.to_json() for w in verdict.waivers]
            # The stack's pack config as analyzed: `tenantctl replay` (or another scanner) re-runs the same view.
            entry["policyConfig"] = verdict.config
        tenants.append(entry)
    return {"tenants": tenants}


def _table(rendered: list[RenderedTenant], verdicts: list[TenantVerdict], console: Console) -> None:
    by_tenant = {v.rendered.tenant_id: v for v in verdicts}
    for r in rendered:
        spec = r.tenant.spec
        table = Table(title=f"{r.tenant_id}  ({spec.tier}, {spec.cloud} {spec.region}, {spec.isolation})")
        table.add_column("type")
        table.add_column("name")
        for res in r.resources:
            if res.custom:
                table.add_row(res.type, res.name)
        console.print(table)
        for warning in r.stack.warnings:
            console.print(f"[yellow]warning[/yellow] {r.tenant_id}: {warning}")
        verdict = by_tenant.get(r.tenant_id)
        if verdict is None:
            continue
        if verdict.violations:
            found = Table(title=f"{r.tenant_id}: policy violations")
            for column in ("policy", "level", "severity", "resource", "message"):
                found.add_column(column)
            for v in verdict.violations:
                level = "waived" if v.waived else v.level
                colour = "red" if v.blocking else "yellow"
                found.add_row(v.policy, f"[{colour}]{level}[/{colour}]", v.severity, v.urn.rsplit("::", 1)[-1], v.message)
            console.print(found)
        else:
            console.print(f"[green]policies ok[/green] {r.tenant_id}: {verdict.analyzed} resources analyzed")
        for w in verdict.waivers:
            if not w.active:
                console.print(f"[yellow]expired waiver[/yellow] {r.tenant_id}: {w.policy} (expired {w.expires})")
    total = sum(len([x for x in r.resources if x.custom]) for r in rendered)
    blocking = sum(len(v.blocking) for v in verdicts)
    console.print(f"{len(rendered)} tenant(s), {total} resources, {blocking} blocking violation(s)")


def plan(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Tenant files or folders (default: tenants/).", show_default=False)
    ] = None,
    format: Annotated[PlanFormat, typer.Option("--format", "-f", help="Report format.")] = PlanFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")] = None,
    policies: Annotated[bool, typer.Option("--policies/--no-policies", help="Enforce the policy pack.")] = True,
    pack: Annotated[Path, typer.Option("--policy-pack", help="Policy pack folder.")] = PACK_DIR,
    today: Annotated[str | None, typer.Option("--today", help="Date waivers are judged on (YYYY-MM-DD; default: today).")] = None,
    pack_transport: Annotated[
        PackTransport | None,
        typer.Option(
            "--pack-transport",
            help="How the pack is run: grpc (its own process, as `pulumi preview --policy-pack`) or inprocess "
            "(the same policies in this process; default for this project's pack).",
            show_default=False,
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Worker processes rendering and analysing tenants (default: cores available).",
                     show_default=False),
    ] = None,
) -> None:
    """Render tenants offline (no cloud, no credentials), enforce the policy pack and report; exit 1 on a blocking violation."""
    tenants = load_or_exit(default_paths(paths))
    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        raise usage_error("options", "--today", f"{str(today)[:40]!r} is not a date (YYYY-MM-DD)") from None
    errors = trust_errors(tenants, project_root(), day)  # waivers, duplicate tenants, stack files pointing elsewhere
    if errors:
        for error in errors:
            print(str(error), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    # Pulumi, the provider SDKs and gRPC load only here, so `tenantctl validate` and `--help` stay light.
    from tenantctl import plan_run
    from tenantctl.policy import report
    from tenantctl.policy.enforce import default_transport

    transport = pack_transport.value if pack_transport else default_transport(pack)
    if transport == PackTransport.inprocess and pack.resolve() != PACK_DIR:
        raise usage_error("options", "--pack-transport", "inprocess runs this project's pack only; use grpc for another pack")
    rendered, verdicts, failures = plan_run.run(
        tenants, project_root(), day, policies=policies, pack_dir=pack, transport=transport,
        jobs=jobs or plan_run.default_jobs(),
    )

    if format is PlanFormat.table:
        console = Console(file=_open(output) if output else None, width=160)
        _table(rendered, verdicts, console)
    else:
        if format is PlanFormat.json:
            document = plan_document(rendered, verdicts if policies else None)
            if failures:
                document["errors"] = failures
            text = json.dumps(document, indent=2, sort_keys=False) + "\n"
        elif format is PlanFormat.markdown:
            text = report.markdown(verdicts)
        elif format is PlanFormat.sarif:
            text = report.sarif_text(verdicts)
        else:
            text = report.junit(verdicts)
        if output:
            with _open(output) as handle:
                handle.write(text)
        else:
            sys.stdout.write(text)
        for r in rendered:
            for warning in r.stack.warnings:
                print(f"warning: {r.tenant_id}: {warning}", file=sys.stderr)
    for v in verdicts:
        for w in v.waivers:
            if not w.active:
                print(f"warning: {v.rendered.tenant_id}: waiver for {w.policy} expired on {w.expires}", file=sys.stderr)
    for failure in failures:
        print(failure, file=sys.stderr)
    if failures:
        # The other tenants were reported above; a tenant that cannot render is bad input, not a violation.
        raise typer.Exit(EXIT_USAGE)
    if any(v.blocking for v in verdicts):
        raise typer.Exit(EXIT_POLICY)


def render_each(tenants: list[TenantFile], root: Path) -> tuple[list[RenderedTenant], list[str]]:
    """Every tenant that renders, and one ``path:line: field: message`` line per one that does not."""
    from tenantctl.render import render_tenant

    rendered: list[RenderedTenant] = []
    failures: list[str] = []
    for tenant in tenants:
        try:
            rendered.append(render_tenant(tenant, root))
        except SpecErrors as exc:  # its stack file is invalid
            failures.extend(str(e) for e in exc.errors)
        except RenderError as exc:
            failures.append(str(exc))
    return rendered, failures


def _open(path: Path) -> TextIO:
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise usage_error(str(path), "--output", f"cannot be written ({exc.strerror or exc})") from None


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
