"""GCP hardening beyond encryption and exposure: GKE nodes and identity, Cloud SQL backups, Memorystore AUTH."""

from __future__ import annotations

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = []
