"""Multi-window, multi-burn-rate alerting on a tenant's SLOs: the arithmetic every cloud shares.

An SLO of A% availability over a 30-day period leaves an error budget of (100 - A)% of requests. A burn
rate of 1 spends exactly that budget in 30 days; a window alerts when the error ratio over it exceeds
``burn rate × budget``. Each window pairs a long look-back (is the budget really burning?) with a short
one (is it still burning now?), so that an alert both fires on a real burn and resets soon after it ends
(the method of the SRE workbook, chapter "Alerting on SLOs"). The burn rate of a window is derived from
the share of the budget it may spend before paging: rate = share × period / long window.

The latency objective is "``slo_latency_quantile`` of requests are answered within ``latency_p95``": its
budget is the remaining share of requests that may be slower, and it burns on the same windows.

The request metrics are the gateway's (Envoy Gateway's proxies), per route rule: Envoy names the upstream
cluster of an HTTPRoute rule ``httproute/<namespace>/<route>/rule/<index>`` and exports it as the
``envoy_cluster_name`` label, so the tenant's traffic is every cluster whose name starts with its namespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

# The period the objectives are stated over (spec.slo: "over 30 days").
SLO_PERIOD = timedelta(days=30)
# latency_p95: 95% of requests are at least that fast, so 5% of requests is the latency error budget.
LATENCY_QUANTILE = 0.95
# A burn-rate threshold can never exceed an error ratio of 1 (every request failing): for loose objectives
# (e.g. 90% availability, budget 10%) the workbook's 14.4× would ask for 144% errors and never fire. The
# threshold is capped at half of the requests failing, a state that always deserves a page.
MAX_ERROR_RATIO = 0.5

# Envoy's upstream request statistics as Prometheus exports them (stats/prometheus on the proxy pods).
REQUESTS_TOTAL = "envoy_cluster_upstream_rq_total"  # counter: every request sent to the tenant's pods
REQUESTS_BY_CLASS = "envoy_cluster_upstream_rq_xx"  # counter with envoy_response_code_class="2".."5"
REQUEST_TIME = "envoy_cluster_upstream_rq_time"  # histogram of upstream request time, milliseconds
CLUSTER_LABEL = "envoy_cluster_name"
CODE_CLASS_LABEL = "envoy_response_code_class"
# Envoy's default histogram bucket bounds (ms) when the bootstrap sets no histogram_bucket_settings.
ENVOY_BUCKETS_MS = (0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000,
                    600000, 1800000, 3600000)


@dataclass(frozen=True)
class Window:
    """One burn-rate alert: a long and a short look-back, and the budget share it may spend before paging."""

    name: str  # "fast" | "slow"
    long: timedelta
    short: timedelta  # 1/12 of the long window, as the workbook recommends
    budget_share: float  # share of the period's error budget spent within ``long`` that pages

    @property
    def burn_rate(self) -> float:
        return self.budget_share * (SLO_PERIOD / self.long)


# Fast: 2% of the month's budget in an hour (14.4×) pages within minutes of a full outage.
# Slow: 5% in six hours (6×) catches a steady leak the fast window is too coarse to see.
WINDOWS = (
    Window("fast", timedelta(hours=1), timedelta(minutes=5), 0.02),
    Window("slow", timedelta(hours=6), timedelta(minutes=30), 0.05),
)


@dataclass(frozen=True)
class Objective:
    """One SLO in the shape the clouds need: what it is called, its goal ratio and its error budget."""

    key: str  # "availability" | "latency"
    goal: float  # ratio of good requests, 0 < goal < 1
    description: str

    @property
    def budget(self) -> float:
        return 1.0 - self.goal

    def threshold(self, window: Window) -> float:
        """The error ratio over the window's look-backs that means the budget burns at the window's rate."""
        return min(window.burn_rate * self.budget, MAX_ERROR_RATIO)

    def effective_burn_rate(self, window: Window) -> float:
        """The burn rate the threshold stands for (below the window's rate only where it was capped)."""
        return self.threshold(window) / self.budget


def objectives(availability_percent: float, latency_p95: timedelta) -> tuple[Objective, Objective]:
    ms = latency_p95.total_seconds() * 1000
    return (
        Objective("availability", round(availability_percent / 100, 6),
                  f"{availability_percent:g}% of requests answered without a 5xx over 30 days"),
        Objective("latency", LATENCY_QUANTILE,
                  f"{LATENCY_QUANTILE:.0%} of requests answered within {ms:g} ms over 30 days"),
    )


def cluster_prefix(namespace: str) -> str:
    """The start of every Envoy upstream cluster name of the tenant's routes (its namespace's HTTPRoutes)."""
    return f"httproute/{namespace}/"


def cluster_regex(namespace: str) -> str:
    """PromQL label matcher value (RE2, fully anchored) for the tenant's upstream clusters."""
    return f"{cluster_prefix(namespace)}.*"


def promql_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def error_ratio_promql(namespace: str, window: timedelta) -> str:
    """Share of the tenant's gateway requests answered with a 5xx over ``window``."""
    sel = f'{CLUSTER_LABEL}=~"{cluster_regex(namespace)}"'
    span = promql_duration(window)
    return (f'sum(rate({REQUESTS_BY_CLASS}{{{sel},{CODE_CLASS_LABEL}="5"}}[{span}]))'
            f' / sum(rate({REQUESTS_TOTAL}{{{sel}}}[{span}]))')


def bucket_bounds(latency_ms: float) -> tuple[float, float]:
    """The histogram bucket bounds around ``latency_ms``: equal when it is a bound, else the two around it."""
    lower = max((b for b in ENVOY_BUCKETS_MS if b <= latency_ms), default=0.0)
    upper = min((b for b in ENVOY_BUCKETS_MS if b >= latency_ms), default=ENVOY_BUCKETS_MS[-1])
    return float(lower), float(upper)


def _le(bound: float) -> str:
    return f"{bound:g}"


def slow_ratio_promql(namespace: str, latency_ms: float, window: timedelta) -> str:
    """Share of the tenant's requests slower than ``latency_ms`` over ``window``.

    Between two bucket bounds the count of requests within ``latency_ms`` is interpolated linearly, the
    same assumption ``histogram_quantile`` makes; on a bound it is exact.
    """
    sel = f'{CLUSTER_LABEL}=~"{cluster_regex(namespace)}"'
    span = promql_duration(window)
    lower, upper = bucket_bounds(latency_ms)

    def bucket(bound: float) -> str:
        return f'sum(rate({REQUEST_TIME}_bucket{{{sel},le="{_le(bound)}"}}[{span}]))'

    total = f"sum(rate({REQUEST_TIME}_count{{{sel}}}[{span}]))"
    if lower == upper:
        within = bucket(lower)
    else:
        share = (latency_ms - lower) / (upper - lower)
        within = f"({bucket(lower)} + ({bucket(upper)} - {bucket(lower)}) * {share:.6g})"
    return f"1 - {within} / {total}"


def burn_alert_promql(objective: Objective, window: Window, namespace: str, latency_ms: float) -> str:
    """Both look-backs of ``window`` above the objective's threshold: the PromQL of one burn-rate alert."""
    threshold = f"{objective.threshold(window):.6g}"

    def ratio(span: timedelta) -> str:
        if objective.key == "availability":
            return error_ratio_promql(namespace, span)
        return slow_ratio_promql(namespace, latency_ms, span)

    return f"({ratio(window.long)}) > {threshold} and ({ratio(window.short)}) > {threshold}"
