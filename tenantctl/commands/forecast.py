"""``tenantctl forecast``: forecast a tenant's demand and turn it into replica floors.

Two forms::

    tenantctl forecast --metrics FILE.csv --capacity-per-replica C --target-utilization U \\
        --min-replicas A --max-replicas B --horizon 1d --format json
    tenantctl forecast TENANT --metrics FILE.csv [--write]

The second takes capacity, target (``metrics.cpu_threshold``) and bounds from the tenant
file (``tenants/<TENANT>.yaml`` or a path) and, with ``--write``, stores a week of floors
as the tenant's ``autoscaling.schedule`` (comments and key order kept), then validates
the file again; on any problem nothing is changed.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tenantctl.forecast.cli_support import check_parameters, duration, fail, fail_at, history

if TYPE_CHECKING:  # imported where used: the model (pandas, numpy), and the tenant loader only with a TENANT
    from spec.loader import TenantFile
    from tenantctl.forecast.model import Forecast

WEEK = "7d"
MAX_REPLICAS = 1000  # the schema's bound on replicas


def resolve_tenant(name: str) -> Path:
    """``tenants/<id>.yaml`` for a tenant id; a name ending in .yaml/.yml is the tenant file itself.

    Anything else (``../../outside/x``, a folder) names no tenant and is refused.
    """
    from spec.models import DNS_LABEL
    from tenantctl.common import project_root

    given = Path(name)
    if given.suffix in {".yaml", ".yml"}:
        return given
    if not re.match(DNS_LABEL, name):
        fail_at("arguments", 1, "TENANT", f"{name[:60]!r} is not a tenant id or a tenant file (.yaml)")
    return project_root() / "tenants" / f"{name}.yaml"


def load_tenant_or_exit(path: Path) -> TenantFile:
    from spec.errors import SpecErrors
    from spec.loader import load_tenant

    if not path.is_file():
        fail_at(str(path), 1, "document", "no such tenant file")
    try:
        return load_tenant(path)
    except SpecErrors as exc:
        fail("\n".join(str(e) for e in exc.errors))


def check_bounds(capacity: float | None, target: float | None, low: int | None, high: int | None) -> None:
    """Numbers a forecast can compute with: finite, and replica bounds within the schema's."""
    for option, value in (("--capacity-per-replica", capacity), ("--target-utilization", target)):
        if value is not None and (not math.isfinite(value) or abs(value) > 1e12):
            fail_at("options", 1, option, f"{value:g} is not a finite number of sensible size")
    for option, count in (("--min-replicas", low), ("--max-replicas", high)):
        if count is not None and not 0 <= count <= MAX_REPLICAS:
            shown = str(count) if len(str(count)) <= 12 else str(count)[:9] + "..."
            fail_at("options", 1, option, f"{shown} is outside 0..{MAX_REPLICAS}")


def write_schedule(tenant: TenantFile, schedule: list[dict[str, object]]) -> None:
    """Store ``schedule`` under ``tenant_config.autoscaling`` with a round trip; validate before replacing."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    from spec.errors import SpecErrors
    from spec.loader import load_tenant

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    path = tenant.path
    document = yaml.load(path.read_text(encoding="utf-8"))
    config = document.get("tenant_config")
    if config is None:
        config = document["tenant_config"] = CommentedMap()
    autoscaling = config.get("autoscaling")
    if autoscaling is None:
        autoscaling = config["autoscaling"] = CommentedMap()
    entries = CommentedSeq()
    for block in schedule:
        entry = CommentedMap()
        entry["start"] = DoubleQuotedScalarString(str(block["start"]))
        entry["end"] = DoubleQuotedScalarString(str(block["end"]))
        entry["desired_replicas"] = int(block["desired_replicas"])  # type: ignore[call-overload]
        entries.append(entry)
    trailing = _detach_trailing_comment(autoscaling)
    autoscaling["schedule"] = entries
    if trailing is not None:
        if len(entries):
            entries[-1].ca.items["desired_replicas"] = [None, None, trailing, None]
        else:  # an empty schedule is written as ``schedule: []``: the comment follows that line
            autoscaling.ca.items["schedule"] = [None, None, trailing, None]
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        candidate = Path(folder) / path.name
        with candidate.open("w", encoding="utf-8") as handle:
            yaml.dump(document, handle)
        try:
            load_tenant(candidate, shown=str(path))
        except SpecErrors as exc:
            fail("\n".join(str(e) for e in exc.errors))
        os.replace(candidate, path)


def _deepest_last(node: Any) -> tuple[Any, Any] | None:
    """The mapping and key holding the last scalar of ``node`` (where ruamel parks trailing comments)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    while True:
        if isinstance(node, CommentedMap) and len(node):
            key = list(node.keys())[-1]
            value = node[key]
            if isinstance(value, (CommentedMap, CommentedSeq)) and len(value):
                node = value
                continue
            return node, key
        if isinstance(node, CommentedSeq) and len(node):
            node = node[-1]
            if not isinstance(node, (CommentedMap, CommentedSeq)):
                return None
            continue
        return None


def _detach_trailing_comment(mapping: Any) -> Any:
    """Comment lines after ``mapping``'s last entry (they belong to what follows); removed and returned.

    ruamel attaches comment lines between two blocks to the last scalar before them; a new
    key appended after that scalar would otherwise slide under the comment.
    """
    from ruamel.yaml.tokens import CommentToken

    found = _deepest_last(mapping)
    if found is None:
        return None
    parent, key = found
    slot = parent.ca.items.get(key)
    if not slot or len(slot) < 3 or slot[2] is None or not isinstance(slot[2], CommentToken):
        return None
    token = slot[2]
    text = token.value
    if text.startswith("#"):  # an end-of-line comment stays; only the lines after it move
        eol, _, rest = text.partition("\n")
        if not rest.strip():
            return None
        token.value = eol + "\n"
        return CommentToken("\n" + rest if not rest.startswith("\n") else rest, token.start_mark, None)
    if not text.strip():
        return None
    slot[2] = None
    return CommentToken(text, token.start_mark, None)


def _table(result: Forecast) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"forecast ({result.model.get('rhythm')} rhythm, floor {result.model.get('floor')})")
    for column in ("start", "end", "predicted", "upper", "min_replicas"):
        table.add_column(column, justify="right" if column not in {"start", "end"} else "left")
    for slot in result.slots:
        table.add_row(str(slot.start), str(slot.end), f"{slot.predicted:.2f}", f"{slot.upper:.2f}",
                      str(slot.min_replicas))
    Console().print(table)
    if result.model.get("fallback"):
        Console().print(f"[yellow]fallback:[/] {result.model['fallback']}")


def forecast_command(
    tenant: Annotated[
        str | None, typer.Argument(help="Tenant id (tenants/<id>.yaml) or tenant file; parameters come from it.")
    ] = None,
    metrics: Annotated[Path | None, typer.Option("--metrics", help="Demand history, CSV timestamp,value.")] = None,
    prometheus: Annotated[str | None, typer.Option("--prometheus", help="Prometheus base URL.")] = None,
    query: Annotated[str | None, typer.Option("--query", help="PromQL returning one series.")] = None,
    lookback: Annotated[str, typer.Option("--lookback", help="History to fetch from Prometheus.")] = "60d",
    until: Annotated[str | None, typer.Option("--until", help="End of the Prometheus range (UTC; default now).")] = None,
    step: Annotated[str, typer.Option("--step", help="Prometheus query resolution.")] = "5m",
    capacity: Annotated[
        float | None, typer.Option("--capacity-per-replica", help="Demand one replica serves at 100%.")
    ] = None,
    target: Annotated[
        float | None, typer.Option("--target-utilization", help="HPA target utilisation, a fraction (0.7).")
    ] = None,
    min_replicas: Annotated[int | None, typer.Option("--min-replicas")] = None,
    max_replicas: Annotated[int | None, typer.Option("--max-replicas")] = None,
    horizon: Annotated[str, typer.Option("--horizon", help="How far ahead, e.g. 1d, 12h, 7d.")] = "1d",
    output: Annotated[str, typer.Option("--format", help="json or table.")] = "table",
    write: Annotated[
        bool, typer.Option("--write", help="Store a weekly schedule in the tenant file (needs TENANT).")
    ] = False,
) -> None:
    """Forecast demand after the history's last sample and turn its upper quantile into replica floors."""
    from tenantctl.forecast.model import forecast
    from tenantctl.forecast.schedule import weekly_schedule

    if output not in {"json", "table"}:
        fail(f"--format:1: must be json or table, not {output!r}")
    loaded: TenantFile | None = None
    if tenant is not None:
        from spec.loader import line_of

        loaded = load_tenant_or_exit(resolve_tenant(tenant))
        scaling = loaded.spec.tenant_config.autoscaling
        where = f"{loaded.path}:{line_of(loaded.source, ('tenant_config', 'autoscaling'))}"
        if capacity is None and scaling.capacity_per_replica is None:
            fail(f"{where}: tenant_config.autoscaling.capacity_per_replica: required for forecasting "
                 "(demand one replica serves at 100% utilisation)")
        capacity = capacity if capacity is not None else scaling.capacity_per_replica
        target = target if target is not None else scaling.metrics.cpu_threshold / 100
        min_replicas = min_replicas if min_replicas is not None else scaling.min_replicas
        max_replicas = max_replicas if max_replicas is not None else scaling.max_replicas
    elif write:
        fail("options:1: --write needs a TENANT to write the schedule into")
    missing = [name for name, value in (("--target-utilization", target), ("--min-replicas", min_replicas),
                                        ("--max-replicas", max_replicas)) if value is None]
    if missing:
        fail(f"options:1: {', '.join(missing)} required without a TENANT")
    assert target is not None and min_replicas is not None and max_replicas is not None
    check_bounds(capacity, target, min_replicas, max_replicas)
    capacity = check_parameters(capacity, target, min_replicas, max_replicas)
    span = duration("--horizon", WEEK if write else horizon)
    if span > duration("--horizon", "35d"):
        fail("--horizon:1: at most 35d (a schedule repeats weekly)")
    series = history(metrics, prometheus, query, lookback=lookback, until=until, step=step)
    try:
        result = forecast(series, horizon=span, capacity=capacity, target=target,
                          min_replicas=min_replicas, max_replicas=max_replicas)
    except (ValueError, OverflowError) as exc:  # history the model cannot use (absurd values or spans)
        fail_at(str(metrics or prometheus), 1, "metrics", str(exc) or type(exc).__name__)
    if write:
        assert loaded is not None
        schedule = weekly_schedule(result, min_replicas=min_replicas)
        write_schedule(loaded, schedule)
        strategy = loaded.spec.tenant_config.autoscaling.strategy
        typer.echo(f"wrote {len(schedule)} schedule block(s) to {loaded.path} "
                   f"(rhythm {result.model.get('rhythm')}, floor {result.model.get('floor')})", err=True)
        if strategy != "predictive":
            typer.echo(f"note: strategy is {strategy}; the schedule is used with strategy: predictive", err=True)
    if output == "json":
        payload: dict[str, Any] = result.as_json()
        if write:
            payload["schedule"] = weekly_schedule(result, min_replicas=min_replicas)
        typer.echo(json.dumps(finite(payload), allow_nan=False, default=_json_default))
    elif not write:
        _table(result)


def finite(value: Any) -> Any:
    """JSON has no infinity or NaN: a gate's unbounded price or hold becomes null, everywhere in the payload.

    (``json`` writes floats itself, so a ``default`` hook never sees them.)
    """
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value


def _json_default(value: object) -> object:
    return str(value)


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast_command)
