"""Kubernetes quantities (``250m``, ``2``, ``512Mi``) as exact numbers, for the few sums the tenancy needs."""

from __future__ import annotations

import math
import re
from fractions import Fraction

_SUFFIX = {
    "": Fraction(1),
    "m": Fraction(1, 1000),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "Ki": Fraction(2**10),
    "Mi": Fraction(2**20),
    "Gi": Fraction(2**30),
    "Ti": Fraction(2**40),
    "Pi": Fraction(2**50),
}
_RE = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(m|Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$")


def parse(quantity: str) -> Fraction:
    """Exact value in base units (cores, bytes) of a quantity the spec schema accepted."""
    match = _RE.match(quantity)
    if not match:
        raise ValueError(f"{quantity!r} is not a Kubernetes quantity")
    number, suffix = match.groups()
    return Fraction(number) * _SUFFIX[suffix or ""]


def cpu(value: Fraction) -> str:
    """Cores → millicores, rounded up so a derived ceiling never shrinks below its source."""
    return f"{math.ceil(value * 1000)}m"


def memory(value: Fraction) -> str:
    """Bytes → MiB, rounded up for the same reason."""
    return f"{math.ceil(value / 2**20)}Mi"


def ratio(limit: str, request: str) -> Fraction:
    """Limit-to-request ratio, never below 1 (a limit under its request is not schedulable anyway)."""
    return max(Fraction(1), parse(limit) / parse(request))
