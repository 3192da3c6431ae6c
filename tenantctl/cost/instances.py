"""Capacity of the node SKUs the tiers use (vCPU, GiB), from the vendors' instance-type pages.

AWS: https://aws.amazon.com/ec2/instance-types/ (t3, m6i); Azure: Dsv5-series sizes
(https://learn.microsoft.com/azure/virtual-machines/dv5-dsv5-series); GCP: machine families
(https://cloud.google.com/compute/docs/general-purpose-machines: e2-standard, n2-standard).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

ALLOCATABLE = Fraction(9, 10)  # what pods can request after kubelet/system reservations and daemons (conservative)


@dataclass(frozen=True)
class Capacity:
    vcpu: int
    memory_gib: int


CAPACITY: dict[str, Capacity] = {
    "t3.large": Capacity(2, 8),
    "m6i.large": Capacity(2, 8),
    "m6i.xlarge": Capacity(4, 16),
    "m6i.2xlarge": Capacity(8, 32),
    "Standard_D2s_v5": Capacity(2, 8),
    "Standard_D4s_v5": Capacity(4, 16),
    "Standard_D8s_v5": Capacity(8, 32),
    "Standard_D16s_v5": Capacity(16, 64),
    "e2-standard-2": Capacity(2, 8),
    "e2-standard-4": Capacity(4, 16),
    "n2-standard-8": Capacity(8, 32),
    "n2-standard-16": Capacity(16, 64),
}


def nodes_needed(instance: str, cpu: Fraction, memory_bytes: Fraction) -> int | None:
    """Nodes of ``instance`` that fit the requested CPU (cores) and memory (bytes); None for an unknown SKU."""
    capacity = CAPACITY.get(instance)
    if capacity is None:
        return None
    by_cpu = cpu / (capacity.vcpu * ALLOCATABLE)
    by_memory = memory_bytes / (capacity.memory_gib * 2**30 * ALLOCATABLE)
    return max(1, math.ceil(max(by_cpu, by_memory)))
