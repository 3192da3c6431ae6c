"""Kubernetes RBAC in a tenant stack: least privilege, no wildcards, no cluster-wide grants."""

from __future__ import annotations

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = []
