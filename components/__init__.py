"""Pulumi components: ``TenantPlatform`` and the per-cloud builders behind it."""
