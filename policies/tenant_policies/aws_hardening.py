"""AWS hardening beyond encryption and exposure: instance metadata, secrets, flow logs, backups."""

from __future__ import annotations

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = []
