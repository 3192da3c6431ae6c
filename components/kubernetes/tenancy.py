"""``TenantTenancy``: one tenant's slice of a Kubernetes cluster, on any cloud.

Namespace (Pod Security ``restricted``), quota and limits, default-deny NetworkPolicies,
developer RBAC, the workload with its ServiceAccount, ConfigMap, Service and PDB, one
autoscaler (HPA or KEDA ScaledObject) and a VPA recommending sizes; the way in through the
cluster's gateway (Certificate, ListenerSet, HTTPRoute, traffic policy) and the SLO alerts on it.
The cluster provider arrives in ``opts.providers``.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from components.estate import NamespacedObject
from components.kubernetes.autoscaling import build_autoscaler, decide
from components.kubernetes.ingress import IngressSettings, build_ingress
from components.kubernetes.meta import object_meta
from components.kubernetes.namespace import build_namespace
from components.kubernetes.network import DataEndpoint, build_network_policies
from components.kubernetes.rbac import build_rbac
from components.kubernetes.slo_rules import build_slo_rules
from components.kubernetes.traffic_policy import build_traffic_policy
from components.kubernetes.vpa import build_vpa
from components.kubernetes.workload import build_workload, selector_labels
from spec.models import AnyTenant


class TenancyArgs(TypedDict):
    spec: AnyTenant
    # Private CIDRs of the tenant's database and cache: the only egress besides DNS and the namespace.
    service_cidrs: list[str]
    # The tenant's own database and cache addresses where known: /32 egress instead of the subnets.
    data_endpoints: NotRequired[list[DataEndpoint]]
    # Cloud-specific objects for the tenant namespace (EKS SecurityGroupPolicy), created after the namespace.
    namespaced_objects: NotRequired[list[NamespacedObject]]
    # Cloud workload-identity annotations for the workload's ServiceAccount (IRSA, Workload Identity, ...).
    service_account_annotations: dict[str, pulumi.Input[str]]
    # Prometheus the KEDA latency trigger queries; without it latency does not drive scaling.
    prometheus_address: str | None
    # The ClusterIssuer and default host domain from stack config; absent: the gateway contract's defaults.
    ingress: NotRequired[IngressSettings]


class TenantTenancy(pulumi.ComponentResource):
    namespace: pulumi.Output[str]
    autoscaling_mode: pulumi.Output[str]  # "disabled" | "hpa" | "keda"
    autoscaling_reason: pulumi.Output[str]

    def __init__(self, name: str, args: TenancyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:kubernetes:TenantTenancy", name, None, opts)
        spec = args["spec"]
        prometheus = args["prometheus_address"]
        # A component's depends_on does not reach its children: pass the cluster's readiness on explicitly.
        child = pulumi.ResourceOptions(parent=self, depends_on=opts.depends_on if opts else None)

        ns_name = build_namespace(name, spec, child)
        for obj in args.get("namespaced_objects", []):
            # The namespace's name is an output of the namespace: the object waits for it on a first deploy.
            k8s.apiextensions.CustomResource(
                f"{name}-{obj.name}",
                api_version=obj.api_version,
                kind=obj.kind,
                metadata=object_meta(obj.name, ns_name, spec),
                spec=obj.spec,
                opts=child,
            )
        build_network_policies(
            name, spec, ns_name, list(args["service_cidrs"]), child, args.get("data_endpoints", []), selector_labels(spec)
        )
        service_account = build_rbac(name, spec, ns_name, dict(args["service_account_annotations"]), child)
        decision = decide(spec, prometheus)
        deployment = build_workload(
            name, spec, ns_name, service_account.metadata.name, (decision.mode, decision.reason), child
        )
        build_autoscaler(name, spec, ns_name, deployment, decision, prometheus, child)
        build_vpa(name, spec, ns_name, deployment, child)
        route = build_ingress(name, spec, ns_name, args.get("ingress", IngressSettings()), child)
        build_traffic_policy(name, spec, ns_name, route, child)
        build_slo_rules(name, spec, ns_name, child)

        self.namespace = ns_name
        self.autoscaling_mode = pulumi.Output.from_input(decision.mode)
        self.autoscaling_reason = pulumi.Output.from_input(decision.reason)
        self.register_outputs(
            {
                "namespace": self.namespace,
                "autoscalingMode": self.autoscaling_mode,
                "autoscalingReason": self.autoscaling_reason,
            }
        )
