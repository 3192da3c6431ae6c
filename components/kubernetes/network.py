"""NetworkPolicies: deny everything, then allow DNS, the namespace itself, the tenant's data services and,
into the workload, the cluster gateway's proxy pods."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.addons.contract import GATEWAY_NAMESPACE, PROXY_POD_LABELS
from components.kubernetes.meta import Manifest, object_meta
from spec.models import AnyTenant

# The only ports pods may reach outside the namespace (besides DNS): PostgreSQL and the cache's TLS port,
# per cloud: ElastiCache 6379, Memorystore with in-transit encryption 6378, Azure Managed Redis 10000.
POSTGRES_PORT = 5432
DATA_PORTS: dict[str, tuple[int, ...]] = {"aws": (POSTGRES_PORT, 6379), "azure": (POSTGRES_PORT, 10000),
                                           "gcp": (POSTGRES_PORT, 6378)}
SERVICE_PORTS = DATA_PORTS["aws"]


@dataclass(frozen=True)
class DataEndpoint:
    """The private address of one of the tenant's own data services and its port.

    Where the cloud tells the address before deployment (Cloud SQL private IP, Memorystore host), the
    egress is that /32 on that port only, never the shared subnet, so a pooled tenant's pods cannot
    reach a neighbour's database or cache through the network even if they learn its address.
    """

    address: pulumi.Input[str]
    port: int


def _host_cidr(address: str) -> str:
    return f"{address}/32"
DNS_PORT = 53
ALL_PODS: dict[str, object] = {}  # an empty podSelector selects every pod in the namespace


def data_egress(
    service_cidrs: Sequence[str], ports: Sequence[int], endpoints: Sequence[DataEndpoint] = ()
) -> list[Manifest]:
    """Egress rules to the tenant's data services: one /32 per own endpoint when known, else its data subnets."""
    if endpoints:
        return [
            {
                "to": [{"ipBlock": {"cidr": pulumi.Output.from_input(e.address).apply(_host_cidr)}}],
                "ports": [{"protocol": "TCP", "port": e.port}],
            }
            for e in endpoints
        ]
    return [
        {
            "to": [{"ipBlock": {"cidr": cidr}} for cidr in service_cidrs],
            "ports": [{"protocol": "TCP", "port": port} for port in ports],
        }
    ]


def gateway_ingress(workload_selector: dict[str, str], workload_port: int) -> Manifest:
    """Into the workload's pods, on its port, from the Gateway's Envoy proxies and nothing else outside the namespace."""
    return {
        "podSelector": {"matchLabels": dict(workload_selector)},
        "policyTypes": ["Ingress"],
        "ingress": [
            {
                # Both selectors in one peer: proxy pods *in* the gateway namespace (two peers would admit
                # every pod of that namespace, and proxy-labelled pods of the tenant's own namespace).
                "from": [
                    {
                        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": GATEWAY_NAMESPACE}},
                        "podSelector": {"matchLabels": dict(PROXY_POD_LABELS)},
                    }
                ],
                "ports": [{"protocol": "TCP", "port": workload_port}],
            }
        ],
    }


def policy_specs(
    service_cidrs: list[str],
    ports: Sequence[int] = SERVICE_PORTS,
    endpoints: Sequence[DataEndpoint] = (),
    gateway: tuple[dict[str, str], int] | None = None,
) -> dict[str, Manifest]:
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
            # The tenant's own database and cache (their /32 where known, else their subnets), on their
            # ports only: no general internet egress.
            "egress": data_egress(service_cidrs, ports, endpoints),
        },
        **({"allow-gateway-ingress": gateway_ingress(*gateway)} if gateway else {}),
    }


def build_network_policies(
    name: str,
    spec: AnyTenant,
    namespace: pulumi.Input[str],
    service_cidrs: list[str],
    opts: pulumi.ResourceOptions,
    endpoints: Sequence[DataEndpoint] = (),
    workload_selector: dict[str, str] | None = None,
) -> list[k8s.networking.v1.NetworkPolicy]:
    policies = []
    ports = DATA_PORTS.get(spec.cloud, SERVICE_PORTS)
    gateway = (workload_selector, spec.config.workload.port) if workload_selector else None
    for policy, body in policy_specs(service_cidrs, ports, endpoints, gateway).items():
        if policy == "allow-data-services" and not service_cidrs and not endpoints:
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
