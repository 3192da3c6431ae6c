"""NetworkPolicies: deny everything, then allow DNS, the namespace itself and the tenant's data services."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.meta import Manifest, object_meta
from spec.models import AnyTenant

# The only ports pods may reach outside the namespace (besides DNS): PostgreSQL and Redis.
SERVICE_PORTS = (5432, 6379)
DNS_PORT = 53
ALL_PODS: dict[str, object] = {}  # an empty podSelector selects every pod in the namespace


def policy_specs(service_cidrs: list[str]) -> dict[str, Manifest]:
    """NetworkPolicy specs by object name; NetworkPolicies are additive, so the deny must come with allows."""
    return {
        # Zero trust inside the cluster: with no allow below, a pod can neither be reached nor reach out.
        "default-deny-all": {"podSelector": ALL_PODS, "policyTypes": ["Ingress", "Egress"]},
        "allow-dns": {
            "podSelector": ALL_PODS,
            "policyTypes": ["Egress"],
            # Only the cluster DNS pods, not port 53 anywhere (that would be an exfiltration channel).
            "egress": [
                {
                    "to": [
                        {
                            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                        }
                    ],
                    "ports": [{"protocol": p, "port": DNS_PORT} for p in ("UDP", "TCP")],
                }
            ],
        },
        "allow-same-namespace": {
            "podSelector": ALL_PODS,
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"podSelector": ALL_PODS}]}],
            "egress": [{"to": [{"podSelector": ALL_PODS}]}],
        },
        "allow-data-services": {
            "podSelector": ALL_PODS,
            "policyTypes": ["Egress"],
            # The tenant's database and cache subnets, on their ports only: no general internet egress.
            "egress": [
                {
                    "to": [{"ipBlock": {"cidr": cidr}} for cidr in service_cidrs],
                    "ports": [{"protocol": "TCP", "port": port} for port in SERVICE_PORTS],
                }
            ],
        },
    }


def build_network_policies(
    name: str, spec: AnyTenant, namespace: pulumi.Input[str], service_cidrs: list[str], opts: pulumi.ResourceOptions
) -> list[k8s.networking.v1.NetworkPolicy]:
    policies = []
    for policy, body in policy_specs(service_cidrs).items():
        if policy == "allow-data-services" and not service_cidrs:
            continue  # an ipBlock-less egress rule would allow those ports to everywhere
        policies.append(
            k8s.networking.v1.NetworkPolicy(
                f"{name}-netpol-{policy}",
                metadata=object_meta(policy, namespace, spec),
                spec=body,
                opts=opts,
            )
        )
    return policies
