"""Kubernetes workloads: the restricted Pod Security Standard and hardening checked on every pod template itself."""

from __future__ import annotations

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = []
