"""Across tenants: unique URNs and physical names; the shared cluster stack; alert-target errors."""

from __future__ import annotations

from collections import Counter
from typing import Any, cast

import pulumi
import pytest
from test_aws_helpers import ROOT, aws_resources, render

from components.estate import StackSettings
from spec.loader import load_tenant, tenant_paths
from tenantctl.placeholders import shared_cluster_outputs
from tenantctl.render import RenderedResource, render_shared_cluster

# Inputs that name a resource in its account and region (the names that collide between stacks).
PHYSICAL_NAME_INPUTS = ("name", "identifier", "replicationGroupId", "dashboardName", "nodeGroupName")
# Names scoped to a parent resource, not to the account: the same name under different parents is fine.
PARENT_SCOPED = {"aws:eks/addon:Addon", "aws:eks/accessEntry:AccessEntry"}


def _aws_example_tenants() -> list[Any]:
    return [t for t in (load_tenant(p) for p in tenant_paths([ROOT / "tenants"])) if t.spec.cloud == "aws"]


@pytest.fixture(scope="module")
def fleet() -> list[Any]:
    tenants = _aws_example_tenants()
    assert len(tenants) >= 3
    return [render(t.path) for t in tenants]


def test_no_duplicate_urns_across_example_tenants(fleet: list[Any]) -> None:
    # URNs embed the stack; within a stack each must be unique, and stacks must differ.
    stacks = [r.stack.stack for r in fleet]
    assert len(set(stacks)) == len(stacks)
    for r in fleet:
        dupes = [u for u, n in Counter(res.urn for res in r.resources).items() if n > 1]
        assert dupes == [], r.tenant_id
    all_urns = [res.urn for r in fleet for res in r.resources]
    assert len(set(all_urns)) == len(all_urns)


def _physical(res: RenderedResource) -> tuple[str, str] | None:
    if res.type in PARENT_SCOPED:
        return None
    for key in PHYSICAL_NAME_INPUTS:
        value = res.inputs.get(key)
        if isinstance(value, str) and value:
            return res.type, value
    return None


def test_no_duplicate_physical_names_across_example_tenants(fleet: list[Any]) -> None:
    seen: dict[tuple[str, str], str] = {}
    named = 0
    for r in fleet:
        for res in aws_resources(r):
            key = _physical(res)
            if key is None:
                continue
            named += 1
            assert key not in seen, f"{key} in {r.tenant_id} and {seen[key]}"
            seen[key] = r.tenant_id
            # Every physical name is derived from the tenant id.
            assert r.tenant_id in key[1], key
    assert named >= 10 * len(fleet)


def _render_shared(region: str) -> tuple[list[RenderedResource], dict[str, Any]]:
    shared = render_shared_cluster(ROOT / "stacks" / f"Pulumi.shared-aws-{region}.yaml")
    return shared.resources, shared.outputs


@pytest.fixture(scope="module")
def shared() -> tuple[list[RenderedResource], dict[str, Any]]:
    return _render_shared("eu-west-1")


def test_shared_cluster_exports_exactly_what_pooled_tenants_reference(shared: Any) -> None:
    _, outputs = shared
    assert set(outputs) == set(shared_cluster_outputs("org/tenant-platform/shared-aws-eu-west-1"))


def test_shared_cluster_is_private_encrypted_and_has_nodes(shared: Any) -> None:
    resources, _ = shared
    types = Counter(r.type for r in resources)
    assert types["aws:eks/cluster:Cluster"] == 1
    assert types["aws:eks/nodeGroup:NodeGroup"] == 1
    assert types["aws:kms/key:Key"] == 1
    # No tenant data lives on the shared stack.
    assert types["aws:rds/instance:Instance"] == 0
    assert types["aws:elasticache/replicationGroup:ReplicationGroup"] == 0
    (cluster,) = [r for r in resources if r.type == "aws:eks/cluster:Cluster"]
    assert cluster.inputs["vpcConfig"]["endpointPublicAccess"] is False
    assert cluster.inputs["encryptionConfig"]["resources"] == ["secrets"]
    assert "audit" in cluster.inputs["enabledClusterLogTypes"]
    (lt,) = [r for r in resources if r.type == "aws:ec2/launchTemplate:LaunchTemplate"]
    assert lt.inputs["metadataOptions"]["httpTokens"] == "required"
    private = [r for r in resources if r.type == "aws:ec2/subnet:Subnet" and "-private-" in r.name]
    assert len(private) == 3


def test_pooled_tenant_egress_matches_the_shared_private_subnets(shared: Any) -> None:
    """A pooled tenant's service CIDRs are computed, not referenced: they must equal the shared subnets."""
    from components.aws import SHARED_CIDR, SHARED_ZONES
    from components.aws.network import layout

    resources, _ = shared
    cidrs = sorted(r.inputs["cidrBlock"] for r in resources if r.type == "aws:ec2/subnet:Subnet"
                   and "-private-" in r.name)
    assert sorted(layout(SHARED_CIDR, SHARED_ZONES).private) == cidrs


def test_listed_channel_without_target_is_a_clear_error() -> None:
    from components.aws.alerting import MissingAlertTargetError, alert_targets

    with pytest.raises(MissingAlertTargetError, match=r"slack.*tenant-platform:slackWebhookUrl"):
        alert_targets("t1", ["email", "slack"], StackSettings(alert_emails=["a@example.com"]))
    with pytest.raises(MissingAlertTargetError, match=r"tenant-platform:alertEmails"):
        alert_targets("t1", ["email"], StackSettings())
    # Unlisted channels are ignored even when their target is set.
    targets = alert_targets("t1", ["email"], StackSettings(alert_emails=["a@example.com"],
                                                           slack_webhook_url=cast(pulumi.Output[str], "x")))
    assert targets.emails == ["a@example.com"] and targets.slack is None and targets.webhook is None


def test_shared_cluster_passes_every_mandatory_policy(shared: Any) -> None:
    """The shared regional stack is held to the same pack as tenant stacks: no mandatory violation."""
    from tenantctl.policy.client import AnalyzedResource, PackClient
    from tenantctl.policy.enforce import _unwrap

    resources, _ = shared
    analyzed = [
        AnalyzedResource(r.type, r.urn, r.name, _unwrap(r.inputs), r.parent, tuple(r.dependencies))
        for r in resources
    ]
    with PackClient() as pack:
        pack.configure(None)  # no tenant file: the context comes from the stack's own tags (tenant "shared")
        found = [d for r in analyzed if any(c.urn == r.urn and c.custom for c in resources) for d in pack.analyze(r)]
        found += pack.analyze_stack(analyzed)
    # The shared stack has no tenant alert channel (no tenant file, no alarms): the one known exception.
    known = {"aws-cloudwatch-alerting"}
    assert [(d.policy, d.urn, d.message) for d in found if d.level == "mandatory" and d.policy not in known] == []
    # The stack really was analysed: the flow-log and default-security-group policies saw its VPC.
    assert any(r.type == "aws:ec2/vpc:Vpc" for r in analyzed)
