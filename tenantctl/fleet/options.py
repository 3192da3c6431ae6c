"""What ``preview``, ``up``, ``destroy``, ``refresh`` and ``drift`` share: options and the run itself.

(Lives outside ``tenantctl/commands`` because the CLI registers every module there as a command.)
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from spec.loader import TenantFile
from spec.tiers import tier_defaults
from tenantctl.common import EXIT_OK, EXIT_USAGE, load_or_exit, project_root
from tenantctl.fleet import automation, selection, waves
from tenantctl.fleet.display import LiveDisplay, drift_lines, summary_table
from tenantctl.fleet.execute import FleetResult, Observer, run_fleet
from tenantctl.fleet.runner import FleetError, Operation, Runner, StackRun
from tenantctl.stack_config import stack_file


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


TenantsArg = Annotated[
    list[str] | None, typer.Argument(help="Tenant ids (file names under tenants/ without .yaml).", show_default=False)
]
AllOpt = Annotated[bool, typer.Option("--all", help="Every tenant under tenants/.")]
ChangedOpt = Annotated[
    str | None,
    typer.Option(
        "--changed-since",
        metavar="GIT_REF",
        help="Tenants whose tenant or stack file changed since GIT_REF (merge base); all tenants when shared code "
        "(components/, policies/, spec/, __main__.py, Pulumi.yaml, pyproject.toml) changed.",
    ),
]
ParallelOpt = Annotated[int, typer.Option("--parallel", "-p", min=1, help="Stacks run at the same time.")]
WavesOpt = Annotated[
    str | None,
    typer.Option(
        "--waves",
        help="Rollout waves, least critical tenants first, e.g. canary,25%,rest (canary = 1 tenant; N = N tenants; "
        "N% of the selection; rest = the remainder). A wave starts only when the previous one succeeded.",
    ),
]
WavesByOpt = Annotated[
    str | None,
    typer.Option("--waves-by", help="One wave per value of a tenant attribute: tier (free → enterprise), cloud, "
                 "region or isolation."),
]
TimeoutOpt = Annotated[
    str, typer.Option("--timeout", help="Per-tenant timeout (e.g. 900, 30m, 2h); the run is interrupted after it.")
]
BackendOpt = Annotated[
    str | None,
    typer.Option(
        "--backend",
        help="State backend URL. Default: PULUMI_BACKEND_URL, else a file backend in the repo's ignored state/ folder.",
        show_default=False,
    ),
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="table, or json on stdout for machines.")]
LogDirOpt = Annotated[
    Path | None,
    typer.Option("--log-dir", help="Per-tenant logs (default: out/fleet/<operation>-<time>/).", show_default=False),
]
ListOpt = Annotated[
    bool, typer.Option("--list", help="Only print the selected tenants and their waves; run nothing (no CLI needed).")
]


@dataclass
class FleetOptions:
    tenants: list[str] = field(default_factory=list)
    all: bool = False
    changed_since: str | None = None
    parallel: int = 4
    waves: str | None = None
    waves_by: str | None = None
    timeout: str = "1h"
    backend: str | None = None
    format: OutputFormat = OutputFormat.table
    log_dir: Path | None = None
    list_only: bool = False
    yes: bool = False
    force: bool = False


def make_runner() -> Runner:
    """The real runner; raises ``PulumiCliMissingError`` when there is no CLI. Tests replace this."""
    return automation.AutomationRunner.create()


def parse_timeout(text: str) -> float | None:
    from spec.durations import parse_duration

    text = text.strip()
    if text in ("0", "none"):
        return None
    try:
        seconds = float(text) if text.replace(".", "", 1).isdigit() else parse_duration(text).total_seconds()
    except ValueError as exc:
        raise FleetError(f"--timeout: {exc}") from None
    if seconds <= 0:
        raise FleetError("--timeout must be positive")
    return seconds


def deletion_protected(tenant: TenantFile) -> bool:
    """The tier protects against deletion, or the tenant file turned protection on."""
    spec = tenant.spec
    by_tier = bool(tier_defaults(spec.tier, spec.cloud)["database"]["deletion_protection"])
    return by_tier or spec.config.database.deletion_protection


def write_policy_config(tenant: TenantFile, directory: Path, today: dt.date) -> Path:
    try:
        from tenantctl.policy.pack_config import write_pack_config
    except ImportError as exc:
        raise FleetError(f"cannot write the policy pack config ({exc}): is tenantctl installed completely?") from None
    directory.mkdir(parents=True, exist_ok=True)
    return write_pack_config(tenant, directory, today)


def prepare_jobs(
    root: Path,
    operation: Operation,
    planned: list[list[TenantFile]],
    backend_url: str,
    log_dir: Path,
    today: dt.date | None = None,
) -> list[list[StackRun]]:
    """One ``StackRun`` per tenant, with its own log file and (preview/up) its own pack config."""
    today = today or dt.datetime.now(dt.UTC).date()
    pack = root / "policies"
    if operation.uses_policy_pack and not (pack / "PulumiPolicy.yaml").is_file():
        raise FleetError(f"policy pack not found: {pack}/PulumiPolicy.yaml")
    out: list[list[StackRun]] = []
    for wave in planned:
        jobs = []
        for tenant in wave:
            tenant_id = tenant.spec.tenant_id
            config = stack_file(root, tenant_id)
            if not config.is_file():
                raise FleetError(f"{config.relative_to(root)}: no stack file for {tenant_id} (tenantctl new writes one)")
            pack_config = None
            if operation.uses_policy_pack:
                pack_config = write_policy_config(tenant, log_dir / "policy-config" / tenant_id, today)
            jobs.append(
                StackRun(
                    tenant_id=tenant_id,
                    stack=tenant_id,
                    operation=operation,
                    work_dir=root,
                    config_file=config,
                    backend_url=backend_url,
                    log_file=log_dir / f"{tenant_id}.log",
                    policy_pack=pack if operation.uses_policy_pack else None,
                    policy_pack_config=pack_config,
                )
            )
        out.append(jobs)
    return out


def operate(
    root: Path,
    operation: Operation,
    tenants: list[TenantFile],
    opts: FleetOptions,
    runner: Runner,
    observer: Observer | None = None,
) -> FleetResult:
    """Plan waves, prepare every stack run and execute them (shared by the CLI and the Python API)."""
    planned = waves.plan_waves(tenants, opts.waves, opts.waves_by)
    backend_url = automation.resolve_backend(root, opts.backend)
    if backend_url.startswith("file://"):
        Path(backend_url[len("file://") :]).mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    log_dir = (opts.log_dir or root / "out" / "fleet" / f"{operation.value}-{stamp}").resolve()
    jobs = prepare_jobs(root, operation, planned, backend_url, log_dir)
    return run_fleet(jobs, runner, operation, parallel=opts.parallel, timeout=parse_timeout(opts.timeout),
                     observer=observer)


def _fail(message: str) -> typer.Exit:
    print(f"error: {message}", file=sys.stderr)
    return typer.Exit(EXIT_USAGE)


def _listing(tenants: list[TenantFile], planned: list[list[TenantFile]], sel: selection.Selection) -> dict[str, Any]:
    wave_of = {t.spec.tenant_id: n for n, wave in enumerate(planned, start=1) for t in wave}
    return {
        "tenants": [
            {
                "tenant": t.spec.tenant_id,
                "path": f"tenants/{t.spec.tenant_id}.yaml",
                "tier": t.spec.tier,
                "cloud": t.spec.cloud,
                "region": t.spec.region,
                "wave": wave_of[t.spec.tenant_id],
                "reason": sel.reasons.get(t.spec.tenant_id, ""),
            }
            for t in sorted(tenants, key=lambda t: (wave_of[t.spec.tenant_id], t.spec.tenant_id))
        ],
        "waves": [[t.spec.tenant_id for t in wave] for wave in planned],
        "notes": sel.notes,
    }


def fleet_command(operation: Operation, opts: FleetOptions) -> None:
    """The body of every fleet command; exits with 0, 1 (listing failed tenants) or 2."""
    root = project_root()
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        sel = selection.select(root, opts.tenants, opts.all, opts.changed_since)
        parse_timeout(opts.timeout)
    except FleetError as exc:
        raise _fail(str(exc)) from None
    for note in sel.notes:
        print(f"note: {note}", file=sys.stderr)
    tenants = load_or_exit([root / "tenants" / f"{t}.yaml" for t in sel.tenant_ids]) if sel.tenant_ids else []
    try:
        planned = waves.plan_waves(tenants, opts.waves, opts.waves_by)
    except FleetError as exc:
        raise _fail(str(exc)) from None

    if opts.list_only:
        listing = _listing(tenants, planned, sel)
        if opts.format is OutputFormat.json:
            sys.stdout.write(json.dumps(listing, indent=2) + "\n")
        else:
            for entry in listing["tenants"]:
                typer.echo(f"wave {entry['wave']}  {entry['tenant']}  ({entry['tier']})  {entry['reason']}")
        raise typer.Exit(EXIT_OK)
    if not tenants:
        message = f"no tenant changed since {opts.changed_since}: nothing to {operation.value}"
        if opts.format is OutputFormat.json:
            sys.stdout.write(json.dumps(FleetResult(operation=operation).to_json(), indent=2) + "\n")
        print(message, file=sys.stderr)
        raise typer.Exit(EXIT_OK)

    if operation is Operation.destroy:
        protected = [t.spec.tenant_id for t in tenants if deletion_protected(t)]
        if protected and not opts.force:
            raise _fail(
                f"refusing to destroy deletion-protected tenant(s): {', '.join(protected)} "
                "(their tier protects them; pass --force to destroy anyway)"
            )
    try:
        runner = make_runner()
    except automation.PulumiCliMissingError as exc:
        raise _fail(str(exc)) from None
    if operation is Operation.destroy and not opts.yes:
        ids = ", ".join(t.spec.tenant_id for t in tenants)
        if not typer.confirm(f"Destroy every resource of {ids}? This cannot be undone", default=False, err=True):
            print("aborted: nothing destroyed", file=sys.stderr)
            raise typer.Exit(EXIT_USAGE)
    passphrase = automation.passphrase_note(automation.resolve_backend(root, opts.backend))
    if passphrase:
        print(passphrase, file=sys.stderr)

    try:
        with LiveDisplay(err, f"tenantctl {operation.value}") as display:
            fleet = operate(root, operation, tenants, opts, runner, observer=display)
    except FleetError as exc:
        raise _fail(str(exc)) from None

    if opts.format is OutputFormat.json:
        sys.stdout.write(json.dumps(fleet.to_json(), indent=2) + "\n")
    else:
        out = Console(highlight=False, soft_wrap=True)
        out.print(summary_table(fleet))
        for line in drift_lines(fleet):
            out.print(line, markup=False)
    if fleet.failed:
        print(f"failed: {', '.join(fleet.failed)}", file=sys.stderr)
    if fleet.skipped:
        print(f"skipped (wave {fleet.halted_after_wave} did not succeed): {', '.join(fleet.skipped)}", file=sys.stderr)
    if operation is Operation.drift and fleet.drifted:
        print(f"drifted: {', '.join(fleet.drifted)}", file=sys.stderr)
    raise typer.Exit(fleet.exit_code)
