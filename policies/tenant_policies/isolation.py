"""Isolation: private control planes, no public database or cache, no internet-facing load balancer for
silo tenants, and no reference from one tenant's resources to another tenant's key, network or namespace."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import ResourceValidationPolicy, Severity, StackValidationPolicy

from .base import (
    NETWORK,
    SEGREGATION,
    WORLD,
    Context,
    Meta,
    Resource,
    as_int,
    as_list,
    get,
    is_set,
    resource_policy,
    stack_policy,
    tags_of,
    truthy,
)

# AWS security groups: nothing the components render faces the internet (load balancers are internal or
# created by the cluster's controller outside the stack), so no port is public unless the config says so.
AWS_PUBLIC_PORTS = {
    "type": "array",
    "items": {"type": "integer"},
    "default": [],
    "description": "Ports a security group may open to 0.0.0.0/0 or ::/0 (none by default).",
}
PUBLIC_PORTS = {
    "type": "array",
    "items": {"type": "integer"},
    "default": [443],
    "description": "Ports that may accept traffic from anywhere (load balancer listeners).",
}


def _meta(
    name: str,
    description: str,
    remediation: str,
    severity: Severity = Severity.HIGH,
    controls: Any = NETWORK,
    config: dict[str, Any] | None = None,
) -> Meta:
    # Public exposure and cross-tenant references: critical, never waivable.
    return Meta(name, description, severity, remediation, controls, "isolation", True, dict(config or {}), True)


def _world(cidrs: Any) -> bool:
    return any(str(c).strip() in WORLD for c in as_list(cidrs))


def _any_address(cidrs: Any) -> bool:
    """0.0.0.0/0 and ::/0 in any spelling (``0::/0``, ``0.0.0.0/00``): a range of prefix length 0."""
    for cidr in as_list(cidrs):
        text = str(cidr).strip()
        if text in WORLD:
            return True
        try:
            if ipaddress.ip_network(text, strict=False).prefixlen == 0:
                return True
        except ValueError:
            continue
    return False


def _opens(from_port: Any, to_port: Any, protocol: Any, allowed: Sequence[int]) -> bool:
    """Does a rule open anything beyond the allowed public ports?"""
    if str(protocol) in {"-1", "all"}:
        return True
    low, high = as_int(from_port), as_int(to_port)
    if low is None or high is None:
        return True
    return not (low == high and low in allowed)


# ------------------------------------------------------------------ control plane endpoints


def _eks_endpoint(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    vpc = props.get("vpcConfig")
    public = get(vpc, "endpointPublicAccess")
    public = True if public is None else truthy(public)  # the provider's default is a public endpoint
    cidrs = as_list(get(vpc, "publicAccessCidrs")) or ["0.0.0.0/0"]
    if not truthy(get(vpc, "endpointPrivateAccess")) or (public and _world(cidrs)):
        yield (
            "EKS cluster API endpoint must be private (vpcConfig.endpointPrivateAccess: true and "
            "endpointPublicAccess: false, or publicAccessCidrs without 0.0.0.0/0)."
        )


def _aks_endpoint(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    profile = props.get("apiServerAccessProfile")
    ranges = as_list(get(profile, "authorizedIPRanges"))
    # A world range is refused even on a private cluster: with API server VNet integration it opens the public endpoint.
    if _world(ranges) or (not truthy(get(profile, "enablePrivateCluster")) and not ranges):
        yield (
            "AKS cluster API server must be private (apiServerAccessProfile.enablePrivateCluster: true, "
            "or authorizedIPRanges without 0.0.0.0/0)."
        )


def _gke_endpoint(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    private = props.get("privateClusterConfig")
    blocks = [get(b, "cidrBlock") for b in as_list(get(props, "masterAuthorizedNetworksConfig", "cidrBlocks"))]
    restricted = (
        bool(blocks)
        and not _world(blocks)
        and not truthy(get(props, "masterAuthorizedNetworksConfig", "gcpPublicCidrsAccessEnabled"))
    )
    if not truthy(get(private, "enablePrivateNodes")) or not (truthy(get(private, "enablePrivateEndpoint")) or restricted):
        yield (
            "GKE cluster must have private nodes and a private endpoint (privateClusterConfig.enablePrivateNodes and "
            "enablePrivateEndpoint: true, or masterAuthorizedNetworksConfig.cidrBlocks without 0.0.0.0/0)."
        )
    elif ctx.isolation == "strict" and not truthy(get(private, "enablePrivateEndpoint")):
        # A strict tenant's control plane has no public endpoint at all, authorized networks or not.
        yield "GKE cluster of a strict tenant must have only a private endpoint (enablePrivateEndpoint: true)."
    elif ctx.tenant == "shared" and not truthy(get(private, "enablePrivateEndpoint")):
        # The shared cluster hosts every pooled tenant of its region: no public endpoint either.
        yield "The shared GKE cluster must have only a private endpoint (enablePrivateEndpoint: true)."


# ------------------------------------------------------------------ databases and caches


def _rds_public(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if truthy(props.get("publiclyAccessible")):
        yield "RDS instance must not be publicly accessible (publiclyAccessible: false)."


def _aws_ingress(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    allowed = [int(p) for p in ctx.setting("publicPorts", [])]
    rules: list[Mapping[str, Any]] = []
    if ctx.resource_type == "aws:ec2/securityGroup:SecurityGroup":
        rules = [r for r in as_list(props.get("ingress")) if isinstance(r, Mapping)]
    elif ctx.resource_type == "aws:ec2/securityGroupRule:SecurityGroupRule":
        rules = [props] if str(props.get("type") or "").lower() == "ingress" else []
    else:  # aws:vpc/securityGroupIngressRule
        rules = [
            {
                "cidrBlocks": [props.get("cidrIpv4")],
                "ipv6CidrBlocks": [props.get("cidrIpv6")],
                "fromPort": props.get("fromPort"),
                "toPort": props.get("toPort"),
                "protocol": props.get("ipProtocol"),
            }
        ]
    for rule in rules:
        if (_any_address(rule.get("cidrBlocks")) or _any_address(rule.get("ipv6CidrBlocks"))) and _opens(
            rule.get("fromPort"), rule.get("toPort"), rule.get("protocol"), allowed
        ):
            yield (
                f"Security group ingress from 0.0.0.0/0 or ::/0 must be limited to ports {allowed}."
                if allowed
                else "Security group must not admit ingress from 0.0.0.0/0 or ::/0."
            )
            return


def _azure_pg_public(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    network = props.get("network")
    if get(network, "publicNetworkAccess") != "Disabled" and not (
        is_set(get(network, "delegatedSubnetResourceId")) and get(network, "publicNetworkAccess") is None
    ):
        yield "PostgreSQL flexible server must not be reachable publicly (network.publicNetworkAccess: Disabled)."


def _azure_redis_public(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if props.get("publicNetworkAccess") != "Disabled":
        yield "Azure Redis must not be reachable publicly (publicNetworkAccess: Disabled)."


def _sql_public(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    ip = get(props, "settings", "ipConfiguration")
    ipv4 = get(ip, "ipv4Enabled")
    if ipv4 is None or truthy(ipv4):
        yield "Cloud SQL instance must not have a public IP (settings.ipConfiguration.ipv4Enabled: false)."


def _gcp_firewall(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    allowed = [int(p) for p in ctx.setting("publicPorts", [443])]
    if str(props.get("direction") or "INGRESS") != "INGRESS" or truthy(props.get("disabled")):
        return
    if not _world(props.get("sourceRanges")):
        return
    for rule in as_list(props.get("allows")):
        ports = as_list(get(rule, "ports")) or ["all"]
        for port in ports:
            low, _, high = str(port).partition("-")
            if _opens(low, high or low, get(rule, "protocol"), allowed):
                yield f"Firewall ingress from 0.0.0.0/0 must be limited to ports {allowed}."
                return


# ------------------------------------------------------------------ load balancers

INTERNAL_ANNOTATIONS = {
    "service.beta.kubernetes.io/aws-load-balancer-scheme": {"internal"},
    "service.beta.kubernetes.io/aws-load-balancer-internal": {"true", "0.0.0.0/0"},
    "service.beta.kubernetes.io/azure-load-balancer-internal": {"true"},
    "networking.gke.io/load-balancer-type": {"internal"},
    "cloud.google.com/load-balancer-type": {"internal"},
}


def _no_public_lb(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if ctx.isolation != "strict":
        return
    if ctx.resource_type == "kubernetes:core/v1:Service":
        if get(props, "spec", "type") != "LoadBalancer":
            return
        annotations = get(props, "metadata", "annotations") or {}
        if not any(str(annotations.get(k, "")).lower() in v for k, v in INTERNAL_ANNOTATIONS.items()):
            yield "LoadBalancer Service of a strict tenant must be internal (an internal load-balancer annotation)."
        return
    if props.get("loadBalancerType") in (None, "application", "network") and not truthy(props.get("internal")):
        yield "Load balancer of a strict tenant must be internal (internal: true)."


# ------------------------------------------------------------------ cross-tenant references

KEY_TYPES = frozenset(
    {
        "aws:kms/key:Key",
        "aws:kms/alias:Alias",
        "aws:kms/replicaKey:ReplicaKey",
        "azure-native:keyvault:Key",
        "azure-native:keyvault:Vault",
        "azure-native:compute:DiskEncryptionSet",
        "gcp:kms/cryptoKey:CryptoKey",
        "gcp:kms/keyRing:KeyRing",
    }
)
KEY_PROPS = frozenset(
    {
        "kmsKeyId",
        "kmsKeyArn",
        "keyArn",
        "kmsMasterKeyId",
        "performanceInsightsKmsKeyId",
        "masterUserSecretKmsKeyId",
        "keyId",
        "diskEncryptionSetID",
        "primaryKeyURI",
        "keyEncryptionKeyUrl",
        "kmsKeyName",
        "encryptionKeyName",
        "bootDiskKmsKey",
        "customerManagedKey",
    }
)
TENANT_NAMESPACE = re.compile(r"^tenant-([a-z][-a-z0-9]*)$")


def _key_refs(value: Any, path: str = "") -> Iterator[str]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            where = f"{path}.{k}" if path else str(k)
            if k in KEY_PROPS and is_set(v) and not isinstance(v, (Mapping, list)):
                yield where
            else:
                yield from _key_refs(v, where)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _key_refs(v, f"{path}[{i}]")


def _cross_tenant(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    tenant = ctx.tenant
    if not tenant:
        return
    by_urn = {r.urn: r for r in resources}
    for r in resources:
        tags = tags_of(r.type, r.props) or {}
        if tags.get("tenant") not in (None, tenant):
            yield f"Resource {r.name} must carry tenant {tenant!r}, not {tags['tenant']!r}.", r.urn
        if r.type.startswith("kubernetes:"):
            for namespace in (
                get(r.props, "metadata", "namespace"),
                get(r.props, "metadata", "name") if r.type == "kubernetes:core/v1:Namespace" else None,
            ):
                match = TENANT_NAMESPACE.match(str(namespace or ""))
                if match and match.group(1) != tenant:
                    yield f"Resource {r.name} must stay in tenant {tenant!r}'s namespace, not {namespace!r}.", r.urn
        if r.type in KEY_TYPES:
            continue
        refs = list(_key_refs(r.props))
        own_keys = any(by_urn[d].type in KEY_TYPES for d in r.dependencies if d in by_urn)
        if refs and not own_keys:
            yield (
                (
                    f"Resource {r.name} must use a key created in tenant {tenant!r}'s own stack "
                    f"({', '.join(refs)} does not come from it)."
                ),
                r.urn,
            )
        for dep in r.dependencies:
            other = by_urn.get(dep)
            dep_tenant = (tags_of(other.type, other.props) or {}).get("tenant") if other else None
            if other is not None and dep_tenant not in (None, tenant):
                yield f"Resource {r.name} must not depend on tenant {dep_tenant!r}'s resource {other.name}.", r.urn


POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    resource_policy(
        _meta(
            "aws-eks-private-endpoint",
            "Checks that EKS cluster API endpoints are private or CIDR-restricted.",
            "Set vpcConfig.endpointPrivateAccess: true and endpointPublicAccess: false.",
            Severity.CRITICAL,
        ),
        ["aws:eks/cluster:Cluster"],
        _eks_endpoint,
    ),
    resource_policy(
        _meta(
            "azure-aks-private-cluster",
            "Checks that AKS API servers are private or IP-restricted.",
            "Set apiServerAccessProfile.enablePrivateCluster: true.",
            Severity.CRITICAL,
        ),
        ["azure-native:containerservice:ManagedCluster"],
        _aks_endpoint,
    ),
    resource_policy(
        _meta(
            "gcp-gke-private-endpoint",
            "Checks that GKE clusters have private nodes and a private endpoint.",
            "Set privateClusterConfig.enablePrivateNodes and enablePrivateEndpoint: true.",
            Severity.CRITICAL,
        ),
        ["gcp:container/cluster:Cluster"],
        _gke_endpoint,
    ),
    resource_policy(
        _meta(
            "aws-rds-no-public-access",
            "Checks that RDS instances are not publicly accessible.",
            "Set publiclyAccessible: false and place the instance in private subnets.",
            Severity.CRITICAL,
        ),
        ["aws:rds/instance:Instance"],
        _rds_public,
    ),
    resource_policy(
        _meta(
            "aws-vpc-no-public-ingress",
            "Checks that security groups admit the internet only on the allowed public ports.",
            "Restrict ingress to the VPC or cluster CIDRs; databases and caches never face 0.0.0.0/0.",
            Severity.HIGH,
            config={"publicPorts": AWS_PUBLIC_PORTS},
        ),
        [
            "aws:ec2/securityGroup:SecurityGroup",
            "aws:ec2/securityGroupRule:SecurityGroupRule",
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        ],
        _aws_ingress,
    ),
    resource_policy(
        _meta(
            "azure-postgresql-no-public-access",
            "Checks that PostgreSQL flexible servers are not reachable publicly.",
            "Set network.publicNetworkAccess: Disabled and use a delegated subnet or private endpoint.",
            Severity.CRITICAL,
        ),
        ["azure-native:dbforpostgresql:Server"],
        _azure_pg_public,
    ),
    resource_policy(
        _meta(
            "azure-redis-no-public-access",
            "Checks that Azure Redis caches are not reachable publicly.",
            "Set publicNetworkAccess: Disabled and reach the cache through a private endpoint.",
            Severity.CRITICAL,
        ),
        ["azure-native:redis:Redis", "azure-native:redisenterprise:RedisEnterprise"],
        _azure_redis_public,
    ),
    resource_policy(
        _meta(
            "gcp-sql-no-public-ip",
            "Checks that Cloud SQL instances have no public IP.",
            "Set settings.ipConfiguration.ipv4Enabled: false and privateNetwork to the tenant's VPC.",
            Severity.CRITICAL,
        ),
        ["gcp:sql/databaseInstance:DatabaseInstance"],
        _sql_public,
    ),
    resource_policy(
        _meta(
            "gcp-compute-no-public-ingress",
            "Checks that firewall rules admit the internet only on the allowed public ports.",
            "Restrict sourceRanges to the VPC or cluster ranges.",
            config={"publicPorts": PUBLIC_PORTS},
        ),
        ["gcp:compute/firewall:Firewall"],
        _gcp_firewall,
    ),
    resource_policy(
        _meta(
            "kubernetes-service-no-public-loadbalancer",
            "Checks that strict tenants expose no internet-facing load balancer.",
            "Annotate LoadBalancer Services as internal (or use ClusterIP behind the tenant's ingress); "
            "set internal: true on cloud load balancers.",
            controls=SEGREGATION,
        ),
        ["kubernetes:core/v1:Service", "aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"],
        _no_public_lb,
    ),
    stack_policy(
        _meta(
            "platform-stack-cross-tenant-references",
            "Checks that no resource of a tenant references another tenant's key, network or namespace.",
            "Reference only keys, networks and namespaces created in the tenant's own stack "
            "(or the shared cluster's stack for pooled tenants).",
            Severity.CRITICAL,
            SEGREGATION,
        ),
        _cross_tenant,
    ),
]
