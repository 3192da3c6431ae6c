"""The pack refuses any config that turns a critical policy down.

``tenantctl`` writes each stack's ``--policy-pack-config`` and never lowers a critical policy,
but the pack must not trust that file: anyone who can edit it (or pass another one to
``pulumi preview``) could otherwise set ``aws-rds-storage-encryption`` to ``advisory`` or
``disabled``. ``install`` wraps the analyzer's ``Configure`` so that such a config is rejected
with ``INVALID_ARGUMENT``; the engine then stops the preview or update with that message, as it
does for a config that fails a policy's schema. The enforcement level reaches the SDK's servicer
only through ``Configure`` (a policy's ``validate`` never sees it), so this is the one place the
check can live.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi_policy import policy as sdk

# Levels a critical policy may run at: remediate counts as mandatory (the SDK reports it so).
ENFORCING = frozenset({pb.MANDATORY, pb.REMEDIATE})
LEVEL_NAMES = {pb.ADVISORY: "advisory", pb.MANDATORY: "mandatory", pb.DISABLED: "disabled", pb.REMEDIATE: "remediate"}
_MARK = "_tenant_platform_guard"


def lowered(request: Any, critical: frozenset[str]) -> list[str]:
    """``policy → level`` descriptions of every critical policy the request runs below mandatory."""
    out = []
    for name in sorted(request.policyConfig):
        level = request.policyConfig[name].enforcementLevel
        if name in critical and level not in ENFORCING:
            out.append(f"{name!r} to {LEVEL_NAMES.get(level, str(level))}")
    return out


def message(found: list[str]) -> str:
    return (
        f"policy pack config lowers critical {'policy' if len(found) == 1 else 'policies'} {', '.join(found)}: "
        "critical policies (encryption at rest, public exposure, privileged workloads, tenant tagging, "
        "cross-tenant references) can never be waived or disabled"
    )


def install(critical: Callable[[], frozenset[str]]) -> None:
    """Wrap the SDK servicer's ``Configure`` (once per process); ``critical`` names the policies to protect."""
    servicer = sdk._PolicyAnalyzerServicer
    original = servicer.Configure
    if getattr(original, _MARK, False):
        return

    def configure(self: Any, request: Any, context: Any) -> Any:
        found = lowered(request, critical())
        if found:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, message(found))
        return original(self, request, context)

    setattr(configure, _MARK, True)
    servicer.Configure = configure  # type: ignore[method-assign]
