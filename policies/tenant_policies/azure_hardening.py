"""Azure hardening beyond encryption and exposure: AKS identity and network policy, agent pools, Key Vault, Redis."""

from __future__ import annotations

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = []
