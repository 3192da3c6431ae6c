"""Tier defaults: a tenant file states only what differs from its tier.

This table is the single source of the README's tier table (``tenantctl tiers``
prints it) and of the policy pack's tier thresholds.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from spec.clouds import aws, azure, gcp

Tier = Literal["free", "standard", "premium", "enterprise"]
Cloud = Literal["aws", "azure", "gcp"]
TIERS: tuple[Tier, ...] = ("free", "standard", "premium", "enterprise")
CLOUDS: tuple[Cloud, ...] = ("aws", "azure", "gcp")
CLOUD_SIZES = {"aws": aws.TIER_SIZES, "azure": azure.TIER_SIZES, "gcp": gcp.TIER_SIZES}

# Upper bounds a tenant may not exceed on its tier (cost and blast-radius guard rails).
TIER_CEILINGS: dict[str, dict[str, int]] = {
    "free": {"max_replicas": 5, "max_nodes": 3},
    "standard": {"max_replicas": 20, "max_nodes": 10},
    "premium": {"max_replicas": 100, "max_nodes": 30},
    "enterprise": {"max_replicas": 500, "max_nodes": 100},
}

# Namespace quota ceilings per tier: a free tenant cannot ask for a hundred thousand CPUs.
QUOTA_CEILINGS: dict[str, dict[str, str | int]] = {
    "free": {"cpu": "4", "memory": "8Gi", "pods": 50, "storage": "50Gi"},
    "standard": {"cpu": "32", "memory": "128Gi", "pods": 250, "storage": "1Ti"},
    "premium": {"cpu": "128", "memory": "512Gi", "pods": 1000, "storage": "5Ti"},
    "enterprise": {"cpu": "512", "memory": "2Ti", "pods": 5000, "storage": "20Ti"},
}

_COMMON: dict[str, Any] = {
    "autoscaling": {
        "enabled": True,
        "strategy": "reactive",
        "metrics": {"cpu_threshold": 70, "memory_threshold": 80, "latency_threshold": None},
        "capacity_per_replica": None,
        "schedule_timezone": "UTC",
        "schedule": [],
    },
    "monitoring": {"real_time": False, "alert_channels": ["email"]},
    "security": {"encryption": "AES-256", "audit_logging": True},
    "performance": {
        "cache_ttl": 300,
        "connection_pool": 20,
        "circuit_breaker": {
            "enabled": True,
            "consecutive_5xx": 5,
            "ejection_time": "30s",
            "max_ejection_percent": 50,
            "retries": {"attempts": 2, "per_try_timeout": "2s"},
        },
    },
    # Empty: the platform's default host <tenant_id>.<stack's ingress domain>; None: internal when strict.
    "ingress": {"hostnames": [], "load_balancer": None},
    "cluster": {"kubernetes_version": "1.31", "disk_size_gb": 50},
    "database": {"engine_version": "16"},
    "cache": {"engine_version": "7.1"},
    "workload": {
        "name": "app",
        # Fully qualified (registry, repository, version tag): the pack admits only images from allowed registries.
        "image": "docker.io/nginxinc/nginx-unprivileged:1.27",
        "port": 8080,
        "cpu_request": "250m",
        "memory_request": "256Mi",
        "cpu_limit": "1",
        "memory_limit": "512Mi",
    },
    "compliance": {"frameworks": []},
}

_BY_TIER: dict[str, dict[str, Any]] = {
    "free": {
        "performance": {
            "rate_limit": {"requests_per_second": 50, "burst": 100},
            "circuit_breaker": {"max_connections": 64, "max_pending_requests": 64, "max_parallel_requests": 128,
                                "retries": {"max_parallel": 16}},
        },
        "object_storage": {"noncurrent_version_days": 7},
        "autoscaling": {"min_replicas": 1, "max_replicas": 3},
        "monitoring": {"metrics_retention": "7d", "slo": {"availability": 99.0, "latency_p95": "1s"}},
        "security": {"isolation_level": "standard"},
        "cluster": {"min_nodes": 1, "max_nodes": 3, "availability_zones": 2},
        "database": {"storage_gb": 20, "max_storage_gb": 50, "high_availability": False,
                     "backup_retention_days": 1, "deletion_protection": False, "performance_insights": False},
        "cache": {"replicas": 0, "snapshot_retention_days": 1},
        "workload": {"quota": {"cpu": "2", "memory": "4Gi", "pods": 20, "storage": "20Gi"}},
    },
    "standard": {
        "performance": {
            "rate_limit": {"requests_per_second": 200, "burst": 400},
            "circuit_breaker": {"max_connections": 256, "max_pending_requests": 256, "max_parallel_requests": 512,
                                "retries": {"max_parallel": 32}},
        },
        "object_storage": {"noncurrent_version_days": 30},
        "autoscaling": {"min_replicas": 2, "max_replicas": 10},
        "monitoring": {"metrics_retention": "14d", "slo": {"availability": 99.5, "latency_p95": "300ms"}},
        "security": {"isolation_level": "standard"},
        "cluster": {"min_nodes": 2, "max_nodes": 5, "availability_zones": 2},
        "database": {"storage_gb": 50, "max_storage_gb": 200, "high_availability": False,
                     "backup_retention_days": 7, "deletion_protection": True, "performance_insights": True},
        "cache": {"replicas": 1, "snapshot_retention_days": 3},
        "workload": {"quota": {"cpu": "8", "memory": "16Gi", "pods": 50, "storage": "100Gi"}},
    },
    "premium": {
        "performance": {
            "rate_limit": {"requests_per_second": 1000, "burst": 2000},
            "circuit_breaker": {"max_connections": 1024, "max_pending_requests": 1024, "max_parallel_requests": 2048,
                                "retries": {"max_parallel": 128}},
        },
        "object_storage": {"noncurrent_version_days": 90},
        "autoscaling": {"min_replicas": 2, "max_replicas": 20},
        "monitoring": {"metrics_retention": "30d", "slo": {"availability": 99.9, "latency_p95": "200ms"}},
        "security": {"isolation_level": "strict"},
        "cluster": {"min_nodes": 2, "max_nodes": 10, "availability_zones": 3},
        "database": {"storage_gb": 100, "max_storage_gb": 1000, "high_availability": True,
                     "backup_retention_days": 14, "deletion_protection": True, "performance_insights": True},
        "cache": {"replicas": 1, "snapshot_retention_days": 7},
        "workload": {"quota": {"cpu": "32", "memory": "64Gi", "pods": 200, "storage": "500Gi"}},
    },
    "enterprise": {
        "performance": {
            "rate_limit": {"requests_per_second": 5000, "burst": 10000},
            "circuit_breaker": {"max_connections": 4096, "max_pending_requests": 4096, "max_parallel_requests": 8192,
                                "retries": {"max_parallel": 512}},
        },
        "object_storage": {"noncurrent_version_days": 365},
        "autoscaling": {"min_replicas": 3, "max_replicas": 50},
        "monitoring": {"metrics_retention": "90d", "slo": {"availability": 99.99, "latency_p95": "100ms"}},
        "security": {"isolation_level": "strict"},
        "cluster": {"min_nodes": 3, "max_nodes": 20, "availability_zones": 3},
        "database": {"storage_gb": 200, "max_storage_gb": 4000, "high_availability": True,
                     "backup_retention_days": 35, "deletion_protection": True, "performance_insights": True},
        "cache": {"replicas": 2, "snapshot_retention_days": 14},
        "workload": {"quota": {"cpu": "64", "memory": "256Gi", "pods": 500, "storage": "2Ti"}},
    },
}


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` wins key by key; nested mappings merge, everything else is replaced."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def tier_defaults(tier: str, cloud: str | None) -> dict[str, Any]:
    """The complete ``tenant_config`` a tenant of ``tier`` on ``cloud`` gets when it states nothing."""
    defaults = deep_merge(_COMMON, _BY_TIER[tier])
    if cloud in CLOUD_SIZES:
        defaults = deep_merge(defaults, CLOUD_SIZES[cloud][tier])
    return defaults
