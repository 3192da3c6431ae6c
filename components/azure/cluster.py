"""The AKS cluster: private API, Entra ID RBAC only, Azure CNI Overlay with Cilium policy, KMS etcd
encryption, CMK disks with host encryption, workload identity, autoscaling system and user pools, audit logs."""

from __future__ import annotations

import base64
import ipaddress
import json
from typing import Any, TypedDict

import pulumi
import pulumi_azure_native as azure
from ruamel.yaml import YAML

from components.azure.common import AKS_SERVER_APP_ID, ROLE_NETWORK_CONTRIBUTOR, ClientConfig, child, role_id

ZONES = ["1", "2", "3"]
SYSTEM_VM_SIZE = "Standard_D4s_v5"  # system pool: CoreDNS, konnectivity, CSI; sized independently of the tenant's nodes
# Control-plane log categories sent to the workspace: the API server's audit trail and its own logs.
CONTROL_PLANE_LOGS = [
    "kube-audit", "kube-audit-admin", "kube-apiserver", "kube-controller-manager", "cluster-autoscaler", "guard",
]


class PoolSpec(TypedDict):
    vm_size: str
    min_count: int
    max_count: int
    disk_size_gb: int


class ClusterArgs(TypedDict):
    resource_group_name: pulumi.Input[str]
    location: str
    base_name: str
    client: ClientConfig
    kubernetes_version: str
    sku_tier: str
    zones: int
    node_subnet_id: pulumi.Input[str]
    pod_cidr: str
    service_cidr: str
    identity_id: pulumi.Input[str]  # user-assigned control-plane identity
    identity_principal_id: pulumi.Input[str]
    des_identity_id: pulumi.Input[str]  # user-assigned identity of the disk encryption set
    vault_id: pulumi.Input[str]
    key_id: pulumi.Input[str]  # versioned key URI
    key_grants: list[pulumi.Resource]  # the identities' rights on the key must exist before the cluster
    workspace_id: pulumi.Input[str]
    user_pool: PoolSpec
    real_time: bool
    tags: dict[str, str]


def kubeconfig_from_credentials(encoded: str, cluster_name: str) -> str:
    """AKS user credentials (base64 kubeconfig) → a kubeconfig that signs in with kubelogin through Entra ID.

    Only the API server address and its CA are taken over; no local account or static token exists.
    """
    source = YAML(typ="safe").load(base64.b64decode(encoded).decode()) or {}
    cluster = (source.get("clusters") or [{}])[0].get("cluster", {})
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": cluster_name,
                "cluster": {
                    "server": cluster.get("server", ""),
                    "certificate-authority-data": cluster.get("certificate-authority-data", ""),
                },
            }
        ],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
        "current-context": cluster_name,
        "users": [
            {
                "name": cluster_name,
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": "kubelogin",
                        # The deploying identity's Azure CLI / workload identity session, never a stored secret.
                        "args": ["get-token", "--login", "azurecli", "--server-id", AKS_SERVER_APP_ID],
                        "interactiveMode": "Never",
                    }
                },
            }
        ],
    }
    return json.dumps(config, indent=2)


def _first_kubeconfig(result: Any) -> str:
    kubeconfigs = result.kubeconfigs or []
    return str(kubeconfigs[0].value) if kubeconfigs else ""


def _autoscaler_profile(real_time: bool) -> dict[str, str]:
    return {
        "expander": "least-waste",
        "balance_similar_node_groups": "true",
        "scan_interval": "10s" if real_time else "20s",
        "scale_down_delay_after_add": "10m",
        "scale_down_unneeded_time": "10m",
        "scale_down_utilization_threshold": "0.5",
        "max_graceful_termination_sec": "600",
        "skip_nodes_with_local_storage": "false",
        "skip_nodes_with_system_pods": "true",
    }


class Cluster(pulumi.ComponentResource):
    cluster_name: pulumi.Output[str]
    cluster_id: pulumi.Output[str]
    private_fqdn: pulumi.Output[str]
    oidc_issuer_url: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    user_pool: azure.containerservice.AgentPool

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:azure:Cluster", name, None, opts)
        rg, location, tags, base = args["resource_group_name"], args["location"], args["tags"], args["base_name"]
        zones = ZONES[: args["zones"]]
        client = args["client"]

        # Managed disks (OS and persistent volumes) are encrypted with the tenant key through this set.
        des = azure.compute.DiskEncryptionSet(
            f"{name}-des",
            resource_group_name=rg,
            location=location,
            identity={"type": "UserAssigned", "user_assigned_identities": [args["des_identity_id"]]},
            active_key={"key_url": args["key_id"], "source_vault": {"id": args["vault_id"]}},
            encryption_type="EncryptionAtRestWithCustomerKey",
            rotation_to_latest_key_version_enabled=True,  # follows the key's rotation policy
            tags=tags,
            opts=child(self, depends_on=args["key_grants"]),
        )

        # The control-plane identity joins nodes and internal load balancers to the node subnet, nothing more.
        subnet_grant = azure.authorization.RoleAssignment(
            f"{name}-subnet-network",
            scope=args["node_subnet_id"],
            principal_id=args["identity_principal_id"],
            principal_type="ServicePrincipal",
            role_definition_id=role_id(client, ROLE_NETWORK_CONTRIBUTOR),
            opts=child(self),
        )

        node_common: dict[str, Any] = {
            "os_type": "Linux",
            "os_sku": "AzureLinux",
            "type": "VirtualMachineScaleSets",
            "vnet_subnet_id": args["node_subnet_id"],
            "availability_zones": zones,
            "enable_auto_scaling": True,
            # Temp disks and caches encrypted on the host too, not only the managed disks.
            "enable_encryption_at_host": True,
            "enable_node_public_ip": False,  # nodes have private addresses only
            "os_disk_type": "Managed",
            "orchestrator_version": args["kubernetes_version"],
            "upgrade_settings": {"max_surge": "33%"},
        }
        system_min = len(zones)  # one system node per zone keeps CoreDNS and konnectivity zone-redundant
        cluster = azure.containerservice.ManagedCluster(  # type: ignore[call-overload]  # nested dict inputs
            f"{name}-aks",
            resource_group_name=rg,
            location=location,
            resource_name_=base,
            dns_prefix=base,
            kubernetes_version=args["kubernetes_version"],
            sku={"name": "Base", "tier": args["sku_tier"]},
            identity={"type": "UserAssigned", "user_assigned_identities": [args["identity_id"]]},
            node_resource_group=f"{base}-nodes-rg",
            # Entra ID users and groups only, authorised by Azure RBAC.
            aad_profile={"managed": True, "enable_azure_rbac": True, "tenant_id": client.tenant_id},
            # No local admin account or static client certificate: every access is an Entra identity.
            disable_local_accounts=True,
            enable_rbac=True,
            # Private API server: reachable from the VNet only, no public FQDN, no run-command backdoor.
            api_server_access_profile={
                "enable_private_cluster": True,
                "enable_private_cluster_public_fqdn": False,
                "private_dns_zone": "system",
                "disable_run_command": True,
            },
            public_network_access="Disabled",
            # Azure CNI Overlay with the Cilium dataplane: NetworkPolicy is enforced.
            network_profile={
                "network_plugin": "azure",
                "network_plugin_mode": "overlay",
                "network_dataplane": "cilium",
                "network_policy": "cilium",
                "pod_cidr": args["pod_cidr"],
                "service_cidr": args["service_cidr"],
                "dns_service_ip": _dns_service_ip(args["service_cidr"]),
                "outbound_type": "userAssignedNATGateway",
                "load_balancer_sku": "standard",
            },
            security_profile={
                # Kubernetes Secrets in etcd are envelope-encrypted with the tenant key (private vault access).
                "azure_key_vault_kms": {
                    "enabled": True,
                    "key_id": args["key_id"],
                    "key_vault_network_access": "Private",
                    "key_vault_resource_id": args["vault_id"],
                },
                "workload_identity": {"enabled": True},
                "image_cleaner": {"enabled": True, "interval_hours": 48},
            },
            oidc_issuer_profile={"enabled": True},  # workload identity federation for the tenant's pods
            disk_encryption_set_id=des.id,
            auto_scaler_profile=_autoscaler_profile(args["real_time"]),
            workload_auto_scaler_profile={
                # AKS's managed VPA: the tenancy's VerticalPodAutoscaler objects need its CRD and recommender.
                "vertical_pod_autoscaler": {"enabled": True},
                # KEDA comes from the pinned chart on every cloud (components/kubernetes/addons/keda.py), so the
                # managed add-on stays off: two KEDA operators would both reconcile the ScaledObjects.
                "keda": {"enabled": False},
            },
            auto_upgrade_profile={"upgrade_channel": "patch", "node_os_upgrade_channel": "NodeImage"},
            addon_profiles={
                "azurepolicy": {"enabled": True},
                "omsagent": {
                    "enabled": True,
                    "config": {"logAnalyticsWorkspaceResourceID": args["workspace_id"], "useAADAuth": "true"},
                },
            },
            # Managed Prometheus (the ama-metrics agent): the gateway's request metrics reach the Azure Monitor
            # workspace where the SLO burn-rate rules run (azure/slo.py associates the collection rule).
            azure_monitor_profile={"metrics": {"enabled": True}},
            agent_pool_profiles=[
                {
                    **node_common,
                    "name": "system",
                    "mode": "System",
                    "vm_size": SYSTEM_VM_SIZE,
                    "count": system_min,
                    "min_count": system_min,
                    "max_count": system_min * 2,
                    "os_disk_size_gb": 128,
                    # Tenant workloads never land on the system pool.
                    "node_taints": ["CriticalAddonsOnly=true:NoSchedule"],
                }
            ],
            tags=tags,
            opts=child(self, depends_on=[subnet_grant, *args["key_grants"]], ignore_changes=["agentPoolProfiles[0].count"]),
        )

        pool = args["user_pool"]
        self.user_pool = azure.containerservice.AgentPool(
            f"{name}-user-pool",
            resource_group_name=rg,
            resource_name_=cluster.name,
            agent_pool_name="workload",
            **node_common,
            mode="User",
            vm_size=pool["vm_size"],
            count=pool["min_count"],
            min_count=pool["min_count"],
            max_count=pool["max_count"],
            os_disk_size_gb=pool["disk_size_gb"],
            node_labels={"tenant-platform.io/pool": "workload"},
            tags=tags,
            opts=child(self, ignore_changes=["count"]),
        )

        azure.monitor.DiagnosticSetting(
            f"{name}-aks-diagnostics",
            resource_uri=cluster.id,
            workspace_id=args["workspace_id"],
            log_analytics_destination_type="Dedicated",
            logs=[{"category": category, "enabled": True} for category in CONTROL_PLANE_LOGS],
            metrics=[{"category": "AllMetrics", "enabled": True}],
            opts=child(self),
        )

        credentials = azure.containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=rg,
            resource_name=cluster.name,
            format="exec",
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(credentials.apply(_first_kubeconfig), cluster.name).apply(_build_kubeconfig)
        )
        self.cluster_name = cluster.name
        self.cluster_id = cluster.id
        self.private_fqdn = cluster.private_fqdn
        self.oidc_issuer_url = cluster.oidc_issuer_profile.apply(_issuer_url)
        self.register_outputs(
            {"clusterName": self.cluster_name, "privateFqdn": self.private_fqdn, "oidcIssuerUrl": self.oidc_issuer_url}
        )


def _build_kubeconfig(values: list[Any]) -> str:
    return kubeconfig_from_credentials(str(values[0]), str(values[1]))


def _issuer_url(profile: Any) -> str:
    return str(getattr(profile, "issuer_url", None) or "") if profile is not None else ""


def _dns_service_ip(service_cidr: str) -> str:
    """The cluster DNS Service takes the tenth address of the Service range (AKS convention)."""
    return str(ipaddress.ip_network(service_cidr)[10])
