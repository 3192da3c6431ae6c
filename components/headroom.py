"""Storage and memory headroom the alarms of every cloud defend, derived from the tenant's database spec.

Two limits per database: the current volume running full (free below ``FREE_SHARE`` of it; storage
autoscaling usually grows it in time) and the volume approaching ``max_storage_gb``, the autoscaling
ceiling the tenant chose, beyond which it cannot grow (used above ``1 - FREE_SHARE`` of the ceiling).
"""

from __future__ import annotations

GIB = 1024**3
# Page when less than a tenth is free: at the growth rates a tenant database sees, days of warning.
FREE_SHARE = 0.10
_FREE_PERCENT = round(FREE_SHARE * 100)  # integer arithmetic on byte counts


def free_bytes_floor(storage_gb: int) -> int:
    """Free bytes below which the allocated ``storage_gb`` volume counts as running full."""
    return storage_gb * GIB * _FREE_PERCENT // 100


def used_ratio_ceiling() -> float:
    """Share of a volume (or of the cache's memory) in use above which it counts as running full."""
    return round(1 - FREE_SHARE, 6)


def ceiling_bytes(max_storage_gb: int) -> int:
    """Used bytes above which the database is about to hit its autoscaling ceiling ``max_storage_gb``."""
    return max_storage_gb * GIB * (100 - _FREE_PERCENT) // 100
