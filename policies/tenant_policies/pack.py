"""The pack's own settings, shared by its program (``policies/__main__.py``) and ``tenantctl``'s
in-process evaluator, so both run the policies at the same default level under the same name."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel

# The SDK answers ``GetAnalyzerInfo`` with this version when PulumiPolicy.yaml names none (it never reads it here).
SDK_REPORTED_VERSION = "0.0.1"

PACK_OPTIONS: dict[str, Any] = {
    "name": "tenant-platform",
    "enforcement_level": EnforcementLevel.MANDATORY,
    "description": "Encryption, isolation, audit, resilience and residency of every tenant estate.",
    "display_name": "tenant-platform guard rails",
    "tags": ["tenant-platform", "gdpr", "soc2", "iso27001"],
}
