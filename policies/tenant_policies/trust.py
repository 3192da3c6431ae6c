"""Tenant trust: what keeps one tenant's stack from reaching another tenant's data.

Importing this module also installs the pack's config guard (``guard.py``): a config that lowers a
critical policy's enforcement level is refused, whoever wrote it.
"""

from __future__ import annotations

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from . import guard
from .base import meta_of


def _critical() -> frozenset[str]:
    from .catalog import POLICIES as ALL  # the catalog imports this module: look it up when the pack is configured

    return frozenset(meta_of(p).name for p in ALL if meta_of(p).critical)


guard.install(_critical)

POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = []
