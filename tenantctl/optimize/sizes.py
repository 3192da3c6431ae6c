"""Size ladders: the next smaller or larger database, cache and node size in the same family.

Only the family's own neighbours are proposed (a class change across families changes the
workload's CPU/memory ratio and its burst behaviour, which utilisation alone cannot justify).
"""

from __future__ import annotations

import re

# AWS sizes in order (https://aws.amazon.com/rds/instance-types/, https://aws.amazon.com/elasticache/pricing/).
_AWS_SIZES = ("micro", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
_AWS = re.compile(r"^(db|cache)\.([a-z0-9]+)\.([a-z0-9]+)$")
# Burstable families stop at 2xlarge and start at micro; memory-optimised ones start at large.
_AWS_FAMILY_RANGE = {"t3": ("micro", "2xlarge"), "t4g": ("micro", "2xlarge"), "r6g": ("large", "16xlarge"),
                     "r7g": ("large", "16xlarge"), "m6g": ("large", "16xlarge"), "m7g": ("large", "16xlarge")}
# Azure flexible-server burstable ladder; D/E v5 sizes step by doubling the vCPU count.
_AZURE_B = ("Standard_B1ms", "Standard_B2s", "Standard_B2ms", "Standard_B4ms", "Standard_B8ms", "Standard_B12ms")
_AZURE_DE = re.compile(r"^Standard_([DE])(\d+)(ds?)_v5$")
_AZURE_DE_VCPU = (2, 4, 8, 16, 32, 48, 64)
_AZURE_CACHE = ("Standard_C0", "Standard_C1", "Standard_C2", "Standard_C3", "Standard_C4", "Standard_C5", "Standard_C6")
_AZURE_PREMIUM = ("Premium_P1", "Premium_P2", "Premium_P3", "Premium_P4", "Premium_P5")
# Cloud SQL custom machine: db-custom-<vCPU>-<MiB>; halving both keeps the memory/vCPU ratio valid.
_GCP_CUSTOM = re.compile(r"^db-custom-(\d+)-(\d+)$")


def _aws(name: str, step: int) -> str | None:
    match = _AWS.fullmatch(name)
    if not match:
        return None
    prefix, family, size = match.groups()
    if size not in _AWS_SIZES:
        return None
    low, high = _AWS_FAMILY_RANGE.get(family, ("large", "16xlarge"))
    index = _AWS_SIZES.index(size) + step
    if not _AWS_SIZES.index(low) <= index <= _AWS_SIZES.index(high):
        return None
    return f"{prefix}.{family}.{_AWS_SIZES[index]}"


def _ladder(ladder: tuple[str, ...], name: str, step: int) -> str | None:
    if name not in ladder:
        return None
    index = ladder.index(name) + step
    return ladder[index] if 0 <= index < len(ladder) else None


def _azure(name: str, step: int) -> str | None:
    for ladder in (_AZURE_B, _AZURE_CACHE, _AZURE_PREMIUM):
        if name in ladder:
            return _ladder(ladder, name, step)
    match = _AZURE_DE.fullmatch(name)
    if not match:
        return None
    series, vcpu, suffix = match.group(1), int(match.group(2)), match.group(3)
    if vcpu not in _AZURE_DE_VCPU:
        return None
    index = _AZURE_DE_VCPU.index(vcpu) + step
    return f"Standard_{series}{_AZURE_DE_VCPU[index]}{suffix}_v5" if 0 <= index < len(_AZURE_DE_VCPU) else None


def _gcp(name: str, step: int) -> str | None:
    match = _GCP_CUSTOM.fullmatch(name)
    if not match:
        return None
    vcpu, memory = int(match.group(1)), int(match.group(2))
    if step < 0:
        if vcpu < 2 or vcpu % 2:
            return None
        return f"db-custom-{vcpu // 2}-{memory // 2}"
    return f"db-custom-{vcpu * 2}-{memory * 2}" if vcpu * 2 <= 96 else None


def neighbour(cloud: str, name: str, step: int) -> str | None:
    """The size ``step`` places away (-1 smaller, +1 larger) in the same family, or None when there is none."""
    return {"aws": _aws, "azure": _azure, "gcp": _gcp}[cloud](name, step)
