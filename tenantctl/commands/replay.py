"""``tenantctl replay PLAN.json``: a saved plan through the policy pack, with the view the engine gives it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from tenantctl.common import EXIT_POLICY, EXIT_USAGE
from tenantctl.policy.catalog import PACK_DIR


def replay(
    plan_file: Annotated[Path, typer.Argument(help="A `tenantctl plan --format json` document.", show_default=False)],
    pack: Annotated[Path, typer.Option("--policy-pack", help="Policy pack folder.")] = PACK_DIR,
) -> None:
    """Send every tenant of a plan JSON to the pack (its policyConfig, Analyze per resource, AnalyzeStack with
    dependencies); print the violations; exit 1 on a mandatory one. Secrets stay masked as the plan has them."""
    try:
        document = json.loads(plan_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"{plan_file}: not a plan JSON ({exc})", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    if not isinstance(document, dict) or not isinstance(document.get("tenants"), list):
        print(f"{plan_file}: not a plan JSON (no tenants list)", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    from tenantctl.policy.client import PackClient
    from tenantctl.policy.enforce import replay as run

    with PackClient(pack) as client:
        found = run(document, client)
    blocking = 0
    for tenant, diagnostics in found.items():
        for d in diagnostics:
            blocking += d.level == "mandatory"
            print(f"{tenant}\t{d.level}\t{d.policy}\t{d.urn}\t{d.message}")
        if not diagnostics:
            print(f"{tenant}\tok")
    print(f"{len(found)} tenant(s), {blocking} mandatory violation(s)", file=sys.stderr)
    if blocking:
        raise typer.Exit(EXIT_POLICY)


def register(app: typer.Typer) -> None:
    app.command("replay")(replay)
