"""``tenantctl tiers``: the tier table (the README's copy is checked against it by the tests)."""

from __future__ import annotations

import typer

from spec.tiers import TIER_CEILINGS, TIERS, tier_defaults

ROWS: list[tuple[str, str]] = [
    ("isolation (default)", "security.isolation_level"),
    ("replicas min–max", "autoscaling.min_replicas|autoscaling.max_replicas"),
    ("replica ceiling", "ceiling:max_replicas"),
    ("nodes min–max", "cluster.min_nodes|cluster.max_nodes"),
    ("node ceiling", "ceiling:max_nodes"),
    ("availability zones", "cluster.availability_zones"),
    ("database HA (standby in another zone)", "database.high_availability"),
    ("backup retention (days)", "database.backup_retention_days"),
    ("deletion protection", "database.deletion_protection"),
    ("performance insights", "database.performance_insights"),
    ("storage GiB (autoscaling ceiling)", "database.storage_gb|database.max_storage_gb"),
    ("cache replicas (failover when ≥ 1)", "cache.replicas"),
    ("cache snapshot retention (days)", "cache.snapshot_retention_days"),
    ("log/metric retention", "monitoring.metrics_retention"),
    ("namespace quota cpu / memory / pods", "workload.quota.cpu|workload.quota.memory|workload.quota.pods"),
    ("AWS node / database / cache size", "cloud:aws"),
    ("Azure node / database / cache size", "cloud:azure"),
    ("GCP node / database / cache size", "cloud:gcp"),
]


def _get(data: dict[str, object], dotted: str) -> object:
    value: object = data
    for part in dotted.split("."):
        value = value[part]  # type: ignore[index]
    return value


def _cell(tier: str, spec: str) -> str:
    if spec.startswith("ceiling:"):
        return str(TIER_CEILINGS[tier][spec.split(":", 1)[1]])
    if spec.startswith("cloud:"):
        sizes = tier_defaults(tier, spec.split(":", 1)[1])
        return " / ".join(f"`{_get(sizes, k)}`" for k in ("cluster.instance_type", "database.instance_class", "cache.node_type"))
    defaults = tier_defaults(tier, None)
    values = [_get(defaults, part) for part in spec.split("|")]
    shown = ["yes" if v is True else "no" if v is False else str(v) for v in values]
    return " – ".join(shown) if "min" in spec and len(shown) == 2 else " / ".join(shown)


def tier_table_markdown() -> str:
    lines = ["| | " + " | ".join(TIERS) + " |", "|---|" + "---|" * len(TIERS)]
    for label, spec in ROWS:
        lines.append(f"| {label} | " + " | ".join(_cell(t, spec) for t in TIERS) + " |")
    return "\n".join(lines) + "\n"


def tiers() -> None:
    """Print the tier defaults as a Markdown table."""
    typer.echo(tier_table_markdown(), nl=False)


def register(app: typer.Typer) -> None:
    app.command("tiers")(tiers)
