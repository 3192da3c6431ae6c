"""``TenantPlatform``: one tenant's estate on its cloud plus its Kubernetes tenancy."""

from __future__ import annotations

from typing import TypedDict

import pulumi

from components.clouds import estate_builder, shared_cluster_builder
from components.estate import StackSettings
from components.kubernetes.ingress import IngressSettings
from components.kubernetes.network import DataEndpoint
from components.kubernetes.tenancy import TenantTenancy
from spec.models import AnyTenant


class TenantPlatformArgs(TypedDict):
    spec: AnyTenant  # validated at the YAML edge; components never re-validate
    settings: StackSettings


class TenantPlatform(pulumi.ComponentResource):
    kubeconfig: pulumi.Output[str]
    namespace: pulumi.Output[str]
    database_endpoint: pulumi.Output[str]
    cache_endpoint: pulumi.Output[str]
    alert_target: pulumi.Output[str]

    def __init__(self, name: str, args: TenantPlatformArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:index:TenantPlatform", name, None, opts)
        spec, settings = args["spec"], args["settings"]

        estate = estate_builder(spec.cloud)(name, spec, settings, self)
        tenancy = TenantTenancy(
            f"{name}-tenancy",
            {
                "spec": spec,
                "service_cidrs": estate.service_cidrs,
                "data_endpoints": [DataEndpoint(address, port) for address, port in estate.data_endpoints],
                "namespaced_objects": estate.namespaced_objects,
                "service_account_annotations": estate.service_account_annotations,
                "prometheus_address": settings.prometheus_address,
                "ingress": IngressSettings.of(settings.cert_issuer, settings.ingress_domain),
            },
            pulumi.ResourceOptions(
                parent=self, providers=[estate.k8s_provider], depends_on=[*estate.depends_on, *estate.addons]
            ),
        )

        self.kubeconfig = pulumi.Output.secret(estate.kubeconfig)
        self.namespace = tenancy.namespace
        self.database_endpoint = estate.database_endpoint
        self.cache_endpoint = estate.cache_endpoint
        self.alert_target = estate.alert_target
        self.register_outputs(
            {
                "kubeconfig": self.kubeconfig,
                "namespace": self.namespace,
                "databaseEndpoint": self.database_endpoint,
                "cacheEndpoint": self.cache_endpoint,
                "alertTarget": self.alert_target,
            }
        )


class SharedClusterArgs(TypedDict):
    cloud: str
    region: str


class SharedCluster(pulumi.ComponentResource):
    """The regional cluster pooled (``isolation_level: standard``) tenants share; one stack per cloud and region."""

    outputs: dict[str, pulumi.Input[object]]

    def __init__(self, name: str, args: SharedClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:index:SharedCluster", name, None, opts)
        self.outputs = shared_cluster_builder(args["cloud"])(name, args["cloud"], args["region"], self)
        self.register_outputs(dict(self.outputs))
