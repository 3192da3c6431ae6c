"""``AddonBaseline``: what a cluster the package creates needs before any tenant runs on it.

metrics-server (EKS), KEDA, the VPA (EKS), cluster-autoscaler (EKS), Envoy Gateway with the cluster's one
Gateway, and cert-manager with the default ClusterIssuer. Silo estates create it in the tenant's stack, the
shared cluster stacks once per regional cluster. The cluster provider arrives in ``opts.providers``.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.addons import cert_manager, cluster_autoscaler, contract, envoy_gateway, keda, metrics_server, vpa
from components.kubernetes.addons.chart import Chart, addon_labels, namespace, release
from components.naming import MANAGED_BY

# The shared cluster stack's own objects: the same label keys as a tenant's, owned by no tenant.
SHARED_LABELS = {
    "app.kubernetes.io/managed-by": MANAGED_BY,
    "tenant-platform.io/tenant": "shared",
    "tenant-platform.io/tier": "shared",
    "tenant-platform.io/isolation": "standard",
}
# Where each add-on lives: the pack exempts exactly these (with the add-on label) from the tenant-namespace rules.
ADDON_NAMESPACES = tuple(
    chart.namespace
    for chart in (metrics_server.CHART, keda.CHART, vpa.CHART, cluster_autoscaler.CHART, cert_manager.CHART,
                  envoy_gateway.CHART)
)


class EksAutoscaling(TypedDict):
    cluster_name: pulumi.Input[str]
    region: str
    role_arn: pulumi.Input[str]  # the cluster-autoscaler's IRSA role (components/aws/node_autoscaler.py)


class AddonBaselineArgs(TypedDict):
    cloud: str  # aws | azure | gcp
    kubernetes_version: str
    silo: bool
    load_balancer: NotRequired[envoy_gateway.LoadBalancer | None]  # the tenant's ingress.load_balancer (silo only)
    cert_issuer: NotRequired[str | None]  # stack config tenant-platform:certIssuer
    labels: dict[str, str]
    real_time: NotRequired[bool]
    proxy_replicas: NotRequired[int]
    eks: NotRequired[EksAutoscaling]
    after: list[pulumi.Resource]  # node pools: nothing schedules before they exist


class AddonBaseline(pulumi.ComponentResource):
    # What the tenancy's custom resources need (their CRDs and controllers): KEDA, VPA, Gateway, issuer.
    ready: list[pulumi.Resource]
    gateway_load_balancer: envoy_gateway.LoadBalancer
    cert_issuer: str

    def __init__(self, name: str, args: AddonBaselineArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:kubernetes:AddonBaseline", name, None, opts)
        cloud, version, base = args["cloud"], args["kubernetes_version"], args["labels"]
        after = list(args["after"])
        child = pulumi.ResourceOptions(parent=self, depends_on=after)

        def install(chart: Chart, values: dict[str, Any], needs: list[pulumi.Resource] | None = None,
                    extra_labels: dict[str, str] | None = None) -> k8s.helm.v3.Release:
            ns = namespace(name, chart, base, version, child, extra_labels)
            opts_ = pulumi.ResourceOptions(parent=self, depends_on=[*after, *(needs or [])])
            return release(name, chart, values, ns, opts_)

        ready: list[pulumi.Resource] = []
        if cloud == "aws":
            # AKS and GKE run metrics-server and a VPA of their own (enabled in their cluster modules).
            install(metrics_server.CHART, metrics_server.values())
            ready.append(install(vpa.CHART, vpa.values()))
            eks = args.get("eks")
            if eks is not None:
                install(
                    cluster_autoscaler.CHART,
                    cluster_autoscaler.values(eks["cluster_name"], eks["region"], eks["role_arn"], version,
                                              args.get("real_time", False)),
                )
        ready.append(install(keda.CHART, keda.values()))

        # The gateway namespace carries the ingress label too: its HTTPS redirect route attaches like a tenant's.
        key, value = contract.INGRESS_NAMESPACE_LABEL
        gateway_release = install(envoy_gateway.CHART, envoy_gateway.values(), extra_labels={key: value})
        labels = addon_labels(base, envoy_gateway.CHART.release)
        exposure = envoy_gateway.load_balancer(args["silo"], args.get("load_balancer"))
        crd_opts = pulumi.ResourceOptions(parent=self, depends_on=[gateway_release])
        proxy = self._custom(f"{name}-envoy-proxy", envoy_gateway.ENVOY_API, "EnvoyProxy",
                             envoy_gateway.envoy_proxy(cloud, exposure, args.get("proxy_replicas", 2), labels), crd_opts)
        gateway_class = self._custom(f"{name}-gateway-class", envoy_gateway.GATEWAY_API, "GatewayClass",
                                     envoy_gateway.gateway_class(labels),
                                     pulumi.ResourceOptions(parent=self, depends_on=[gateway_release, proxy]))
        gw_opts = pulumi.ResourceOptions(parent=self, depends_on=[gateway_release, gateway_class])
        gateway = self._custom(f"{name}-gateway", envoy_gateway.GATEWAY_API, "Gateway", envoy_gateway.gateway(labels),
                               gw_opts)
        self._custom(f"{name}-gateway-tls", envoy_gateway.ENVOY_API, "ClientTrafficPolicy",
                     envoy_gateway.client_traffic_policy(labels), gw_opts, version="v1alpha1")
        self._custom(f"{name}-https-redirect", envoy_gateway.GATEWAY_API, "HTTPRoute",
                     envoy_gateway.https_redirect(labels), gw_opts)
        ready += [gateway_release, gateway]

        # cert-manager after the Gateway API CRDs (Envoy Gateway's chart installs them): its Gateway support
        # (HTTP-01 challenge routes) is only switched on when they exist at start.
        certs = install(cert_manager.CHART, cert_manager.values(), needs=[gateway_release])
        ready.append(certs)
        issuer = cert_manager.issuer_name(args.get("cert_issuer"))
        if issuer == contract.DEFAULT_CERT_ISSUER:
            ready.append(self._custom(
                f"{name}-cluster-issuer", "cert-manager.io", "ClusterIssuer",
                cert_manager.default_issuer(addon_labels(base, cert_manager.CHART.release)),
                pulumi.ResourceOptions(parent=self, depends_on=[certs, gateway]), version="v1",
            ))

        self.ready = ready
        self.gateway_load_balancer = exposure
        self.cert_issuer = issuer
        self.register_outputs({"gatewayLoadBalancer": exposure, "certIssuer": issuer})

    @staticmethod
    def _custom(name: str, group: str, kind: str, body: dict[str, Any], opts: pulumi.ResourceOptions,
                version: str | None = None) -> k8s.apiextensions.CustomResource:
        api_version = f"{group}/{version or ('v1alpha1' if group == envoy_gateway.ENVOY_API else 'v1')}"
        return k8s.apiextensions.CustomResource(
            name, api_version=api_version, kind=kind, metadata=body["metadata"], spec=body["spec"], opts=opts
        )
