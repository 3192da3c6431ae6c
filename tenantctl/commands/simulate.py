"""``tenantctl simulate``: replay a demand trace: static peak, the reactive frontier and predictive.

The last ``--held-out`` (7 days) of the trace are replayed through HPA semantics (see
``tenantctl.forecast.simulate``); predictive re-forecasts each held-out day from the data
strictly before it. Prints a table and writes a PNG plot.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tenantctl.commands.forecast import check_bounds
from tenantctl.forecast.cli_support import check_parameters, duration, fail, fail_at, history

if TYPE_CHECKING:  # numpy, pandas and rich are imported when the command runs: validate must not pay for them
    from rich.table import Table

    from tenantctl.forecast.simulate import Simulation


def table(simulation: Simulation, title: str) -> Table:
    from rich.table import Table

    out = Table(title=title)
    for column in ("strategy", "replica-hours", "under-provisioned steps", "under %"):
        out.add_column(column, justify="left" if column == "strategy" else "right")

    def row(name: str, cost: float, under: float, steps: int, style: str | None = None) -> None:
        share = 100 * under / steps if steps else 0.0
        out.add_row(name, f"{cost:,.1f}", f"{under:,.1f}" if under % 1 else f"{int(under)}", f"{share:.2f}",
                    style=style)

    s = simulation
    row(s.static.name, s.static.cost, s.static.under, s.static.steps)
    for target, point in sorted(zip(s.frontier.targets, s.frontier.points, strict=True), reverse=True):
        row(f"reactive {target:.0%}", point.cost, point.under, point.steps,
            "bold" if abs(target - s.target) < 1e-9 else None)
    row("frontier at predictive's cost", s.predictive.cost, s.frontier_under, s.predictive.steps, "cyan")
    row(f"predictive ({s.rhythm} rhythm)", s.predictive.cost, s.predictive.under, s.predictive.steps, "bold green")
    return out


def summary(simulation: Simulation) -> dict[str, object]:
    s = simulation
    return {
        "static": {"cost": s.static.cost, "under": s.static.under},
        "reactive": {"target": s.target, "cost": s.reactive.cost, "under": s.reactive.under},
        "frontier": [{"target": t, "cost": p.cost, "under": p.under}
                     for t, p in zip(s.frontier.targets, s.frontier.points, strict=True)],
        "predictive": {"cost": s.predictive.cost, "under": s.predictive.under},
        "frontier_under_at_equal_cost": s.frontier_under,
        "ratio": s.ratio if s.ratio != float("inf") else None,
        "rhythm": s.rhythm,
        "steps": s.predictive.steps,
    }


def simulate_command(
    metrics: Annotated[Path | None, typer.Option("--metrics", help="Demand trace, CSV timestamp,value.")] = None,
    prometheus: Annotated[str | None, typer.Option("--prometheus", help="Prometheus base URL.")] = None,
    query: Annotated[str | None, typer.Option("--query", help="PromQL returning one series.")] = None,
    lookback: Annotated[str, typer.Option("--lookback")] = "60d",
    until: Annotated[str | None, typer.Option("--until")] = None,
    capacity: Annotated[float | None, typer.Option("--capacity-per-replica")] = None,
    target: Annotated[float, typer.Option("--target-utilization")] = 0.7,
    min_replicas: Annotated[int, typer.Option("--min-replicas")] = 1,
    max_replicas: Annotated[int, typer.Option("--max-replicas")] = 100,
    held_out: Annotated[str, typer.Option("--held-out", help="Replayed window at the end of the trace.")] = "7d",
    plot_path: Annotated[Path, typer.Option("--plot", help="PNG to write.")] = Path("simulation.png"),
    output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Replay a trace through HPA semantics: static peak, reactive frontier, predictive (HPA + schedule floor)."""
    from tenantctl.forecast.simulate import run

    if output not in {"json", "table"}:
        fail(f"--format:1: must be json or table, not {output!r}")
    check_bounds(capacity, target, min_replicas, max_replicas)
    capacity = check_parameters(capacity, target, min_replicas, max_replicas)
    window = duration("--held-out", held_out)
    series = history(metrics, prometheus, query, lookback=lookback, until=until)
    try:
        simulation = run(series, capacity=capacity, target=target, min_replicas=min_replicas,
                         max_replicas=max_replicas, held_out=window)
    except (ValueError, OverflowError) as exc:  # a trace the replay cannot use (absurd values or spans)
        fail_at(str(metrics or prometheus), 1, "metrics", str(exc) or type(exc).__name__)
    from tenantctl.forecast.plot import plot

    title = f"{metrics.name if metrics else query}: last {held_out}"
    plot(simulation, plot_path, title)
    if output == "json":
        typer.echo(json.dumps({**summary(simulation), "plot": str(plot_path)}))
        return
    from rich.console import Console

    console = Console()
    console.print(table(simulation, title))
    verdict = "below" if simulation.ratio < 1 else "not below"
    console.print(f"predictive is {verdict} the reactive frontier at equal cost: "
                  f"{simulation.predictive.under} vs {simulation.frontier_under:.1f} under-provisioned steps "
                  f"(×{simulation.ratio:.2f}); plot: {plot_path}")


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_command)
