"""The AWS estate of a tenant (silo or pool) and the shared regional cluster pooled tenants live on.

Built from ``pulumi_aws`` resources directly (not ``pulumi_eks``), one module per service, so that
every resource renders offline and the policy pack sees its real inputs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypedDict

import pulumi
import pulumi_aws as aws

from components.aws.addons import eks_addons
from components.aws.alerting import Alerting
from components.aws.budget import Budget
from components.aws.cache import PORT as CACHE_PORT
from components.aws.cache import Cache
from components.aws.cluster import EksCluster, TenantAccess, irsa_role, kube_provider
from components.aws.common import Account, account, child, physical_name, policy_document, shared_tags
from components.aws.dashboard import Dashboard
from components.aws.database import PORT as DB_PORT
from components.aws.database import Database, max_connections
from components.aws.kms import TenantKey
from components.aws.network import Network, layout
from components.aws.nodes import NodePool
from components.aws.pod_security import PodSecurity, security_group_policy, vpc_resolver
from components.aws.slo import Slo
from components.aws.storage import ObjectStorage
from components.budget_amount import monthly_amount
from components.estate import Estate, NamespacedObject, StackSettings
from components.kubernetes.addons.baseline import SHARED_LABELS
from components.naming import bucket_name, k8s_labels, namespace_name, tenant_group, tenant_tags
from spec.models import AnyTenant, AwsTenant
from spec.tiers import tier_defaults

# The shared regional network: the same range in every region (the regions are never peered).
SHARED_CIDR = "10.100.0.0/16"
SHARED_ZONES = 3  # many tenants: the cluster spans every zone it can
SHARED_LOG_RETENTION = timedelta(days=365)  # audit trail of a cluster many tenants share: a year
SHARED_INSTANCE_TYPE = "m6i.xlarge"
SHARED_MIN_NODES, SHARED_MAX_NODES = 3, 60  # at least one node per zone
SHARED_DISK_GB = 100
SHARED_CPU_TARGET = 70


def _first(values: Any) -> str:
    return str(values[0])


class AwsTenantEstateArgs(TypedDict):
    spec: AwsTenant
    settings: StackSettings


class AwsTenantEstate(pulumi.ComponentResource):
    """One tenant's AWS resources; silo tenants get their own network and cluster, pooled ones a namespace."""

    estate: Estate

    def __init__(self, name: str, args: AwsTenantEstateArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:aws:TenantEstate", name, None, opts)
        spec, settings = args["spec"], args["settings"]
        cfg, tenant = spec.tenant_config, spec.tenant_id
        tags = tenant_tags(spec)
        retention = cfg.monitoring.metrics_retention
        provider = aws.Provider(f"{name}-provider", region=spec.region, opts=pulumi.ResourceOptions(parent=self))
        acct = account(provider, spec.region)

        key = TenantKey(
            f"{name}-kms",
            {
                "provider": provider,
                "account": acct,
                "alias": f"tenant-platform/{tenant}",
                "description": f"tenant-platform: customer-managed key of tenant {tenant}",
                "tags": tags,
                "serves_nodes": spec.silo,
                "serves_object_logs": True,
            },
            child(self, provider),
        )

        vpc_id: pulumi.Input[str]
        subnet_ids: Any
        node_sg: pulumi.Input[str]
        cluster_name: pulumi.Input[str]
        depends_on: list[pulumi.Resource] = []
        pods: PodSecurity | None = None
        cluster_sg: pulumi.Input[str] = ""
        nat_gateway_ids: list[pulumi.Input[str]] = []
        if spec.silo:
            network = Network(
                f"{name}-network",
                {
                    "provider": provider,
                    "account": acct,
                    "base_name": tenant,
                    "cidr": cfg.aws.vpc_cidr,
                    "zones": cfg.cluster.availability_zones,
                    "nat_per_zone": cfg.database.high_availability,
                    "key_arn": key.arn,
                    "log_retention": retention,
                    "tags": tags,
                },
                child(self, provider),
            )
            cluster = EksCluster(
                f"{name}-cluster",
                {
                    "provider": provider,
                    "account": acct,
                    "cluster_name": tenant,
                    "kubernetes_version": cfg.cluster.kubernetes_version,
                    "subnet_ids": network.private_subnet_ids,
                    "key_arn": key.arn,
                    "log_retention": retention,
                    "tags": tags,
                },
                child(self, provider),
            )
            nodes = NodePool(
                f"{name}-nodes",
                {
                    "provider": provider,
                    "account": acct,
                    "base_name": tenant,
                    "cluster_name": cluster.name,
                    "cluster_security_group_id": cluster.security_group_id,
                    "vpc_id": network.vpc_id,
                    "subnet_ids": network.private_subnet_ids,
                    "key_arn": key.arn,
                    "kubernetes_version": cfg.cluster.kubernetes_version,
                    "instance_type": cfg.cluster.instance_type,
                    "capacity_type": cfg.aws.capacity_type,
                    "min_nodes": cfg.cluster.min_nodes,
                    "max_nodes": cfg.cluster.max_nodes,
                    "disk_size_gb": cfg.cluster.disk_size_gb,
                    "strategy": cfg.autoscaling.strategy,
                    "cpu_threshold": cfg.autoscaling.metrics.cpu_threshold,
                    "cloudwatch_agent_role_arn": cluster.cloudwatch_agent_role_arn,
                    "after": [cluster.cni_addon],
                    "tags": tags,
                },
                child(self, provider),
            )
            vpc_id, subnet_ids, node_sg = network.vpc_id, network.private_subnet_ids, nodes.security_group_id
            cluster_name, kubeconfig = cluster.name, cluster.kubeconfig
            oidc_arn, oidc_issuer = cluster.oidc_provider_arn, cluster.oidc_issuer_url
            service_cidrs = network.private_subnet_cidrs
            depends_on = [nodes.node_group]
            nat_gateway_ids = list(network.nat_gateway_ids)
        else:
            if not settings.shared_cluster_stack:
                raise ValueError(f"{tenant}: a pooled tenant needs stack config tenant-platform:sharedClusterStack")
            # The shared regional cluster's stack; its outputs are the names build_shared_cluster exports.
            ref = pulumi.StackReference(settings.shared_cluster_stack, opts=pulumi.ResourceOptions(parent=self))
            vpc_id = ref.require_output("networkId")
            subnet_ids = ref.require_output("privateSubnetIds")
            cluster_sg = ref.require_output("clusterSecurityGroupId")
            # Not the shared nodes' group (every pooled tenant's pods would share it): the tenant's own pod
            # security group is the only client its database and cache admit.
            pods = PodSecurity(
                f"{name}-pods", {"provider": provider, "base_name": tenant, "vpc_id": vpc_id, "tags": tags},
                child(self, provider),
            )
            node_sg = pods.security_group_id
            cluster_name = ref.require_output("clusterName")
            kubeconfig = pulumi.Output.secret(ref.require_output("kubeconfig"))
            oidc_arn = ref.require_output("oidcProviderArn")
            oidc_issuer = ref.require_output("oidcIssuerUrl")
            # Same layout function as the shared network: known now, without waiting for the reference.
            service_cidrs = layout(SHARED_CIDR, SHARED_ZONES).private

        TenantAccess(
            f"{name}-access",
            {
                "provider": provider,
                "account": acct,
                "base_name": tenant,
                "cluster_name": cluster_name,
                "kubernetes_group": tenant_group(tenant),
                "tags": tags,
            },
            child(self, provider),
        )
        db = Database(
            f"{name}-database",
            {
                "provider": provider,
                "base_name": tenant,
                "vpc_id": vpc_id,
                "subnet_ids": subnet_ids,
                "client_security_group_id": node_sg,
                "key_arn": key.arn,
                "engine_version": cfg.database.engine_version,
                "instance_class": cfg.database.instance_class,
                "storage_gb": cfg.database.storage_gb,
                "max_storage_gb": cfg.database.max_storage_gb,
                "high_availability": cfg.database.high_availability,
                "backup_retention_days": cfg.database.backup_retention_days,
                "deletion_protection": cfg.database.deletion_protection,
                "performance_insights": cfg.database.performance_insights,
                "connection_pool": cfg.performance.connection_pool,
                "log_retention": retention,
                "tags": tags,
            },
            child(self, provider),
        )
        cache = Cache(
            f"{name}-cache",
            {
                "provider": provider,
                "base_name": tenant,
                "vpc_id": vpc_id,
                "subnet_ids": subnet_ids,
                "client_security_group_id": node_sg,
                "key_arn": key.arn,
                "engine_version": cfg.cache.engine_version,
                "node_type": cfg.cache.node_type,
                "replicas": cfg.cache.replicas,
                "snapshot_retention_days": cfg.cache.snapshot_retention_days,
                "log_retention": retention,
                "tags": tags,
            },
            child(self, provider),
        )

        k8s_provider = kube_provider(f"{name}-k8s", kubeconfig, self)
        addons: list[pulumi.Resource] = []
        if spec.silo:
            # The silo cluster's own add-ons; a pooled tenant's come with the shared cluster's stack.
            addons = eks_addons(f"{name}-addons", {
                "provider": provider, "k8s_provider": k8s_provider, "account": acct, "base_name": tenant,
                "region": spec.region, "cluster_name": cluster_name, "oidc_provider_arn": oidc_arn,
                "oidc_issuer_url": oidc_issuer, "kubernetes_version": cfg.cluster.kubernetes_version, "silo": True,
                "load_balancer": cfg.ingress.load_balancer, "cert_issuer": settings.cert_issuer,
                "labels": k8s_labels(spec), "real_time": cfg.monitoring.real_time, "proxy_replicas": 2,
                "after": depends_on, "tags": tags,
            }, self).ready
        namespaced: list[NamespacedObject] = []
        if pods is not None:
            pods.allow(
                [("database", db.security_group_id, DB_PORT), ("cache", cache.security_group_id, CACHE_PORT)],
                vpc_resolver(SHARED_CIDR),
            )
            # Every pod of the namespace gets the tenant's pod group, plus the shared cluster group so that
            # CoreDNS, kubelet probes and kube-proxy traffic keep working through the branch ENI.
            namespaced.append(security_group_policy([pods.security_group_id, cluster_sg]))

        # The workload's own IAM identity (IRSA): it may read its database and cache credentials, nothing else.
        namespace = namespace_name(tenant)
        workload_role = irsa_role(
            f"{name}-workload-role", physical_name(tenant, "workload", 64), oidc_arn, oidc_issuer, namespace,
            cfg.workload.name, tags, child(self, provider),
        )
        aws.iam.RolePolicy(
            f"{name}-workload-secrets",
            role=workload_role.id,
            policy=_workload_policy(db.master_secret_arn, cache.secret_arn, key.arn, acct),
            opts=child(self, provider),
        )
        # The tenant's S3 bucket; only the workload role above may use it.
        storage = ObjectStorage(
            f"{name}-storage",
            {
                "provider": provider,
                "account": acct,
                "bucket_name": bucket_name(tenant, "aws"),
                "key_arn": key.arn,
                "workload_role": workload_role.id,
                "noncurrent_version_days": cfg.object_storage.noncurrent_version_days,
                "log_retention": retention,
                "tags": tags,
            },
            child(self, provider),
        )

        latency = cfg.autoscaling.metrics.latency_threshold
        alerting = Alerting(
            f"{name}-alerting",
            {
                "provider": provider,
                "account": acct,
                "tenant_id": tenant,
                "base_name": tenant,
                "channels": list(cfg.monitoring.alert_channels),
                "settings": settings,
                "key_arn": key.arn,
                "log_retention": retention,
                "alarms": {
                    "cluster_name": cluster_name,
                    "namespace": namespace,
                    "db_identifier": db.identifier,
                    "db_storage_gb": cfg.database.storage_gb,
                    "db_max_connections": max_connections(cfg.performance.connection_pool),
                    "cache_group_id": cache.replication_group_id,
                    "cpu_threshold": cfg.autoscaling.metrics.cpu_threshold,
                    "memory_threshold": cfg.autoscaling.metrics.memory_threshold,
                    "latency_threshold": latency,
                    "real_time": cfg.monitoring.real_time,
                    "nat_gateway_ids": nat_gateway_ids,
                },
                "tags": tags,
            },
            child(self, provider),
        )
        # The SLOs' burn-rate alarms, on the same topic as every other alarm of the tenant.
        Slo(
            f"{name}-slo",
            {
                "provider": provider,
                "tenant_id": tenant,
                "base_name": tenant,
                "cluster_name": cluster_name,
                "namespace": namespace,
                "availability": cfg.monitoring.slo.availability,
                "latency_p95": cfg.monitoring.slo.latency_p95,
                "topic_arn": alerting.topic_arn,
                "tags": tags,
            },
            child(self, provider),
        )
        Dashboard(
            f"{name}-dashboard",
            {
                "provider": provider,
                "base_name": tenant,
                "tenant_id": tenant,
                "region": spec.region,
                "cluster_name": cluster_name,
                "namespace": namespace,
                "db_identifier": db.identifier,
                "cache_group_id": cache.replication_group_id,
                "cpu_threshold": cfg.autoscaling.metrics.cpu_threshold,
                "memory_threshold": cfg.autoscaling.metrics.memory_threshold,
                "latency_ms": latency.total_seconds() * 1000 if latency is not None else None,
                "alarm_arns": alerting.alarm_arns,
                "real_time": cfg.monitoring.real_time,
            },
            child(self, provider),
        )

        # Every tenant stack has a budget: the month's amount, alerts at 80% and 100% to the tenant's channels.
        Budget(
            f"{name}-budget",
            {
                "tenant_id": tenant,
                "amount_usd": monthly_amount(settings.monthly_budget_usd, spec.tier),
                "topic_arn": alerting.topic_arn,
                "tags": tags,
            },
            child(self, provider),
        )
        self.estate = Estate(
            k8s_provider=k8s_provider,
            kubeconfig=kubeconfig,
            service_cidrs=service_cidrs,
            database_endpoint=db.endpoint,
            cache_endpoint=cache.endpoint,
            alert_target=alerting.topic_arn,
            service_account_annotations={"eks.amazonaws.com/role-arn": workload_role.arn},
            depends_on=depends_on,
            namespaced_objects=namespaced,
            addons=addons,
        )
        self.register_outputs(
            {
                "keyArn": key.arn,
                "databaseEndpoint": db.endpoint,
                "cacheEndpoint": cache.endpoint,
                "alertTopicArn": alerting.topic_arn,
                "workloadRoleArn": workload_role.arn,
                "bucketName": storage.bucket_name,
            }
        )


def _workload_policy(db_secret: pulumi.Input[str], cache_secret: pulumi.Input[str], key_arn: pulumi.Input[str],
                     acct: Account) -> pulumi.Output[str]:
    return policy_document(
        [
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": [db_secret, cache_secret]},
            {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": key_arn,
                # Only to decrypt those secrets, through Secrets Manager, never the raw key.
                "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{acct.region}.amazonaws.com"}},
            },
        ]
    )


def build_estate(name: str, spec: AnyTenant, settings: StackSettings, parent: pulumi.ComponentResource) -> Estate:
    if not isinstance(spec, AwsTenant):
        raise ValueError(f"{spec.tenant_id}: the AWS builder cannot build a {spec.cloud} tenant")
    return AwsTenantEstate(f"{name}-aws", {"spec": spec, "settings": settings}, pulumi.ResourceOptions(parent=parent)).estate


class AwsSharedClusterArgs(TypedDict):
    region: str


class AwsSharedCluster(pulumi.ComponentResource):
    """Network, key, EKS cluster and node group of one region's shared cluster; no tenant data lives here."""

    outputs: dict[str, pulumi.Input[object]]

    def __init__(self, name: str, args: AwsSharedClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:aws:SharedCluster", name, None, opts)
        region = args["region"]
        tags = shared_tags(region)
        base = name
        provider = aws.Provider(f"{name}-provider", region=region, opts=pulumi.ResourceOptions(parent=self))
        acct = account(provider, region)
        version = str(tier_defaults("standard", "aws")["cluster"]["kubernetes_version"])

        key = TenantKey(
            f"{name}-kms",
            {
                "provider": provider,
                "account": acct,
                "alias": f"tenant-platform/{base}",
                "description": f"tenant-platform: key of the shared cluster {base} (network, control plane, nodes)",
                "tags": tags,
                "serves_nodes": True,
            },
            child(self, provider),
        )
        network = Network(
            f"{name}-network",
            {
                "provider": provider,
                "account": acct,
                "base_name": base,
                "cidr": SHARED_CIDR,
                "zones": SHARED_ZONES,
                "nat_per_zone": True,
                "key_arn": key.arn,
                "log_retention": SHARED_LOG_RETENTION,
                "tags": tags,
            },
            child(self, provider),
        )
        cluster = EksCluster(
            f"{name}-cluster",
            {
                "provider": provider,
                "account": acct,
                "cluster_name": base,
                "kubernetes_version": version,
                "subnet_ids": network.private_subnet_ids,
                "key_arn": key.arn,
                "log_retention": SHARED_LOG_RETENTION,
                "tags": tags,
                "pod_eni": True,
            },
            child(self, provider),
        )
        nodes = NodePool(
            f"{name}-nodes",
            {
                "provider": provider,
                "account": acct,
                "base_name": base,
                "cluster_name": cluster.name,
                "cluster_security_group_id": cluster.security_group_id,
                "vpc_id": network.vpc_id,
                "subnet_ids": network.private_subnet_ids,
                "key_arn": key.arn,
                "kubernetes_version": version,
                "instance_type": SHARED_INSTANCE_TYPE,
                "capacity_type": "ON_DEMAND",
                "min_nodes": SHARED_MIN_NODES,
                "max_nodes": SHARED_MAX_NODES,
                "disk_size_gb": SHARED_DISK_GB,
                "strategy": "reactive",
                "cpu_threshold": SHARED_CPU_TARGET,
                "cloudwatch_agent_role_arn": cluster.cloudwatch_agent_role_arn,
                "after": [cluster.cni_addon],
                "tags": tags,
            },
            child(self, provider),
        )
        config = pulumi.Config("tenant-platform")
        eks_addons(f"{name}-addons", {
            "provider": provider, "k8s_provider": kube_provider(f"{name}-k8s", cluster.kubeconfig, self),
            "account": acct, "base_name": base, "region": region, "cluster_name": cluster.name,
            "oidc_provider_arn": cluster.oidc_provider_arn, "oidc_issuer_url": cluster.oidc_issuer_url,
            "kubernetes_version": version, "silo": False, "load_balancer": None,
            "cert_issuer": config.get("certIssuer"), "labels": SHARED_LABELS, "real_time": True,
            "proxy_replicas": 3, "after": [nodes.node_group], "tags": tags,
        }, self)
        private = pulumi.Output.all(*network.private_subnet_ids)
        first_private = private.apply(_first)
        # Exactly the names tenantctl.placeholders.shared_cluster_outputs stands in for offline.
        self.outputs = {
            "cloud": "aws",
            "region": region,
            "networkId": network.vpc_id,
            "networkCidr": SHARED_CIDR,
            "privateSubnetIds": private,
            "privateSubnetCidrs": network.private_subnet_cidrs,
            # AWS has no dedicated database or private-endpoint subnet: both live in the private subnets.
            "databaseSubnetId": first_private,
            "privateEndpointSubnetId": first_private,
            "clusterName": cluster.name,
            "clusterEndpoint": cluster.endpoint,
            "clusterCertificateAuthority": cluster.certificate_authority,
            "clusterSecurityGroupId": cluster.security_group_id,
            "nodeSecurityGroupId": nodes.security_group_id,
            "oidcProviderArn": cluster.oidc_provider_arn,
            "oidcIssuerUrl": cluster.oidc_issuer_url,
            "kubeconfig": cluster.kubeconfig,
            # The cluster's log destination (control-plane and audit logs).
            "logWorkspaceId": cluster.control_plane_log_group,
        }
        self.register_outputs(dict(self.outputs))


def build_shared_cluster(name: str, cloud: str, region: str, parent: pulumi.ComponentResource
                         ) -> dict[str, pulumi.Input[object]]:
    if cloud != "aws":
        raise ValueError(f"the AWS builder cannot build a shared cluster on {cloud!r}")
    return AwsSharedCluster(f"{name}-aws", {"region": region}, pulumi.ResourceOptions(parent=parent)).outputs
