"""One tenant's GCP estate: silo (own VPC, key, GKE, Cloud SQL, Memorystore) or pool (own key, database and
cache on the shared regional VPC, namespace on the shared GKE cluster)."""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.budget_amount import monthly_amount
from components.estate import Estate, StackSettings
from components.gcp.alerts import Alerts, Condition
from components.gcp.budget import PLACEHOLDER_BILLING_ACCOUNT, Budget
from components.gcp.cache import MEMORY_GB, Cache
from components.gcp.cluster import Cluster
from components.gcp.common import child, log_days, physical_name, project, sa_member
from components.gcp.database import Database
from components.gcp.kms import TenantKey
from components.gcp.logs import LogBucket
from components.gcp.network import Network
from components.gcp.slo import Slo
from components.gcp.storage import ObjectStorage
from components.headroom import ceiling_bytes, used_ratio_ceiling
from components.kubernetes.addons.baseline import AddonBaseline
from components.kubernetes.network import DATA_PORTS
from components.naming import bucket_name, cache_name, database_name, gcp_labels, k8s_labels, namespace_name, tenant_tags
from spec.models import GcpTenant

# The shared regional VPC's private services range (Cloud SQL and Memorystore of pooled tenants).
SHARED_PRIVATE_SERVICES_CIDR = "10.103.0.0/16"
# Service agents that encrypt with the tenant key: GKE (secrets), Compute Engine (boot disks), Memorystore,
# Cloud Logging (the tenant's log bucket).
SILO_AGENTS = ["container-engine-robot", "compute-system", "cloud-redis", "gcp-sa-logging"]
POOL_AGENTS = ["cloud-redis", "gcp-sa-logging"]


def conditions(spec: GcpTenant, cluster_name: pulumi.Input[str] | None) -> list[Condition]:
    """Alert conditions: workload CPU/memory against the thresholds, database and cache health, latency."""
    metrics = spec.config.autoscaling.metrics
    ns = namespace_name(spec.tenant_id)
    container = f'resource.type="k8s_container" AND resource.labels.namespace_name="{ns}"'
    out: list[Condition] = [
        {"label": "cpu", "display_name": f"workload CPU above {metrics.cpu_threshold}% of request",
         "filter": f'metric.type="kubernetes.io/container/cpu/request_utilization" AND {container}',
         "comparison": "COMPARISON_GT", "threshold": metrics.cpu_threshold / 100, "aligner": "ALIGN_MEAN",
         "promql": False},
        {"label": "memory", "display_name": f"workload memory above {metrics.memory_threshold}% of request",
         "filter": f'metric.type="kubernetes.io/container/memory/request_utilization" AND {container}',
         "comparison": "COMPARISON_GT", "threshold": metrics.memory_threshold / 100, "aligner": "ALIGN_MEAN",
         "promql": False},
    ]
    if metrics.latency_threshold is not None:
        seconds = metrics.latency_threshold.total_seconds()
        out.append(
            {"label": "latency", "display_name": f"p95 latency above {seconds * 1000:g}ms",
             "filter": (f'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket'
                        f'{{namespace="{ns}"}}[5m]))) > {seconds:g}'),
             "comparison": "COMPARISON_GT", "threshold": seconds, "aligner": "ALIGN_MEAN", "promql": True})
    return out


def storage_conditions(project_id: pulumi.Input[str], instance: pulumi.Input[str], max_storage_gb: int
                       ) -> list[Condition]:
    """Cloud SQL disk running full now (utilization of the current, auto-growing disk) and near its ceiling."""
    database = pulumi.Output.concat('resource.type="cloudsql_database" AND resource.labels.database_id="',
                                    project_id, ":", instance, '"')
    ceiling = ceiling_bytes(max_storage_gb)
    return [
        {"label": "database-disk", "display_name": f"Cloud SQL disk above {used_ratio_ceiling():.0%} used",
         "filter": pulumi.Output.concat(  # type: ignore[typeddict-item]
             'metric.type="cloudsql.googleapis.com/database/disk/utilization" AND ', database),
         "comparison": "COMPARISON_GT", "threshold": used_ratio_ceiling(), "aligner": "ALIGN_MAX", "promql": False},
        # Auto-resize stops at max_storage_gb: past this the database fills up whatever the trend.
        {"label": "database-disk-ceiling",
         "display_name": f"Cloud SQL data above {used_ratio_ceiling():.0%} of max_storage_gb ({max_storage_gb} GiB)",
         "filter": pulumi.Output.concat(  # type: ignore[typeddict-item]
             'metric.type="cloudsql.googleapis.com/database/disk/bytes_used" AND ', database),
         "comparison": "COMPARISON_GT", "threshold": float(ceiling), "aligner": "ALIGN_MAX", "promql": False},
    ]


# Throughput pages when the namespace's traffic is this many times its level at the same time a week
# earlier: the specification bounds requests, not bytes, so the tenant's own history is the yardstick.
THROUGHPUT_SURGE = 3


def network_conditions(namespace: str, nat_name: str | None, real_time: bool) -> list[Condition]:
    """Namespace throughput against last week's (PromQL over the system metric), and Cloud NAT drops."""
    span = "5m" if real_time else "15m"
    received = (f'sum(rate(kubernetes_io:pod_network_received_bytes_count{{monitored_resource="k8s_pod",'
                f'namespace_name="{namespace}"}}[{span}]))')
    out: list[Condition] = [
        {"label": "network-throughput",
         "display_name": f"namespace ingress throughput above {THROUGHPUT_SURGE}x last week's",
         "filter": f"{received} > {THROUGHPUT_SURGE} * ({received} offset 1w)",
         "comparison": "COMPARISON_GT", "threshold": 0.0, "aligner": "ALIGN_RATE", "promql": True},
    ]
    if nat_name is not None:
        # The silo's Cloud NAT (components/gcp/network.py names it <base>-nat): packets it had to drop
        # (out of ports, endpoint-independence conflicts) mean pods' egress is failing.
        nat = f'resource.type="nat_gateway" AND resource.labels.gateway_name="{nat_name}"'
        out += [
            {"label": "nat-dropped", "display_name": "Cloud NAT dropping sent packets",
             "filter": f'metric.type="router.googleapis.com/nat/dropped_sent_packets_count" AND {nat}',
             "comparison": "COMPARISON_GT", "threshold": 0.0, "aligner": "ALIGN_RATE", "promql": False},
            {"label": "nat-allocation", "display_name": "Cloud NAT failing to allocate ports",
             "filter": f'metric.type="router.googleapis.com/nat/nat_allocation_failed" AND {nat}',
             "comparison": "COMPARISON_GT", "threshold": 0.0, "aligner": "ALIGN_COUNT_TRUE", "promql": False},
        ]
    return out


class GcpEstateArgs(TypedDict):
    spec: GcpTenant
    settings: StackSettings


class GcpEstate(pulumi.ComponentResource):
    estate: Estate

    def __init__(self, name: str, args: GcpEstateArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:gcp:Estate", name, None, opts)
        spec, settings = args["spec"], args["settings"]
        config, options = spec.tenant_config, spec.tenant_config.gcp
        labels = gcp_labels(tenant_tags(spec))
        proj = project(name, spec.region, labels, self)
        opts_ = child(self, proj.provider)

        sql_agent = gcp.projects.ServiceIdentity(
            f"{name}-sql-agent", project=proj.id, service="sqladmin.googleapis.com", opts=opts_
        )
        key = TenantKey(
            f"{name}-kms",
            {
                "project": proj,
                "ring_name": physical_name(name, "ring", 63),
                "agents": SILO_AGENTS if spec.silo else POOL_AGENTS,
                "members": [sql_agent.email.apply(sa_member)],
                "labels": labels,
            },
            child(self, proj.provider),
        )

        ns = namespace_name(spec.tenant_id)
        if spec.silo:
            network = Network(
                f"{name}-network",
                {
                    "project": proj,
                    "base_name": name,
                    "subnet_cidr": options.subnet_cidr,
                    "pods_cidr": options.pods_cidr,
                    "services_cidr": options.services_cidr,
                    "private_services_cidr": options.private_services_cidr,
                    "labels": labels,
                },
                opts_,
            )
            cluster = Cluster(
                f"{name}-cluster",
                {
                    "project": proj,
                    "base_name": name,
                    "kubernetes_version": config.cluster.kubernetes_version,
                    "zones": config.cluster.availability_zones,
                    "network_id": network.network_id,
                    "subnet_id": network.subnet_id,
                    "subnet_cidr": options.subnet_cidr,
                    "master_cidr": options.master_cidr,
                    "key_id": key.key_id,
                    "key_grants": key.grants,
                    "workload_pool": {
                        "machine_type": config.cluster.instance_type,
                        "min_nodes": config.cluster.min_nodes,
                        "max_nodes": config.cluster.max_nodes,
                        "disk_size_gb": config.cluster.disk_size_gb,
                    },
                    "deletion_protection": config.database.deletion_protection,
                    "real_time": config.monitoring.real_time,
                    "labels": labels,
                },
                opts_,
            )
            network_id: pulumi.Input[str] = network.network_id
            cluster_name: pulumi.Input[str] = cluster.cluster_name
            kubeconfig: pulumi.Output[str] = cluster.kubeconfig
            depends_on: list[pulumi.Resource] = list(cluster.node_pools)
            data_deps: list[pulumi.Resource] = [*key.grants, network.peering]
            service_cidrs = [options.private_services_cidr]
            log_filter = f'resource.labels.cluster_name="{name}"'
        else:
            if not settings.shared_cluster_stack:
                raise ValueError(f"{spec.tenant_id}: pooled tenant without tenant-platform:sharedClusterStack")
            ref = pulumi.StackReference(settings.shared_cluster_stack, stack_name=settings.shared_cluster_stack,
                                        opts=pulumi.ResourceOptions(parent=self))
            network_id = ref.get_output("networkId")
            cluster_name = ref.get_output("clusterName")
            kubeconfig = pulumi.Output.secret(ref.get_output("kubeconfig")).apply(str)
            depends_on, data_deps = [], list(key.grants)
            service_cidrs = [SHARED_PRIVATE_SERVICES_CIDR]
            # On the shared cluster the tenant's bucket receives its own namespace's logs only.
            log_filter = f'resource.labels.namespace_name="{ns}"'

        LogBucket(
            f"{name}-logs",
            {
                "project": proj,
                "bucket_id": physical_name(name, "logs", 100),
                "retention_days": log_days(config.monitoring.metrics_retention),
                "filter": log_filter,
                "kms_key_name": key.key_id,
            },
            pulumi.ResourceOptions.merge(opts_, pulumi.ResourceOptions(depends_on=list(key.grants))),
        )

        database = Database(
            f"{name}-db",
            {
                "project": proj,
                "instance_name": database_name(name, "gcp"),
                "version": config.database.engine_version,
                "tier": config.database.instance_class,
                "storage_gb": config.database.storage_gb,
                "max_storage_gb": config.database.max_storage_gb,
                "high_availability": config.database.high_availability,
                "backup_retention_days": config.database.backup_retention_days,
                "deletion_protection": config.database.deletion_protection,
                "performance_insights": config.database.performance_insights,
                "connection_pool": config.performance.connection_pool,
                "database_name": config.workload.name,
                "network_id": network_id,
                "key_id": key.key_id,
                "depends_on": data_deps,
                "labels": labels,
            },
            opts_,
        )
        cache = Cache(
            f"{name}-cache",
            {
                "project": proj,
                "instance_name": cache_name(name, "gcp"),
                "tier": config.cache.node_type,
                "memory_gb": MEMORY_GB[spec.tier],
                "engine_version": config.cache.engine_version,
                "replicas": config.cache.replicas,
                "snapshots": config.cache.snapshot_retention_days > 0,
                "network_id": network_id,
                "key_id": key.key_id,
                "depends_on": data_deps,
                "labels": labels,
            },
            opts_,
        )

        # Workload identity: the namespace's ServiceAccount acts as this Google service account, no key file.
        workload_sa = gcp.serviceaccount.Account(
            f"{name}-workload-sa", account_id=physical_name(name, "wl", 30), project=proj.id,
            display_name=f"workload of tenant {spec.tenant_id}", opts=opts_,
        )
        gcp.serviceaccount.IAMMember(
            f"{name}-workload-identity",
            service_account_id=workload_sa.name,
            role="roles/iam.workloadIdentityUser",
            member=f"serviceAccount:{proj.id}.svc.id.goog[{ns}/{config.workload.name}]",
            opts=opts_,
        )
        # The tenant's bucket: only the workload's service account above may use it.
        storage = ObjectStorage(
            f"{name}-storage",
            {
                "project": proj,
                "bucket_name": bucket_name(spec.tenant_id, "gcp"),
                "key_id": key.key_id,
                "workload_member": workload_sa.email.apply(sa_member),
                "noncurrent_version_days": config.object_storage.noncurrent_version_days,
                "labels": labels,
            },
            opts_,
        )

        health: list[Condition] = [
            {"label": "database-down", "display_name": "Cloud SQL instance down",
             "filter": pulumi.Output.concat(  # type: ignore[typeddict-item]
                 'metric.type="cloudsql.googleapis.com/database/up" AND resource.type="cloudsql_database" '
                 'AND resource.labels.database_id="', proj.id, ":", database.instance_name, '"'),
             "comparison": "COMPARISON_LT", "threshold": 1.0, "aligner": "ALIGN_MIN", "promql": False},
            {"label": "cache-memory", "display_name": "Memorystore memory usage above 90%",
             "filter": pulumi.Output.concat(  # type: ignore[typeddict-item]
                 'metric.type="redis.googleapis.com/stats/memory/usage_ratio" AND resource.type="redis_instance" '
                 'AND resource.labels.instance_id="', cache.instance_id, '"'),
             "comparison": "COMPARISON_GT", "threshold": used_ratio_ceiling(), "aligner": "ALIGN_MAX",
             "promql": False},
        ]
        health += storage_conditions(proj.id, database.instance_name, config.database.max_storage_gb)
        health += network_conditions(ns, f"{name}-nat" if spec.silo else None, config.monitoring.real_time)
        alerts = Alerts(
            f"{name}-alerts",
            {
                "project": proj,
                "title": f"tenant {spec.tenant_id}",
                "channels": list(config.monitoring.alert_channels),
                "settings": settings,
                "conditions": conditions(spec, cluster_name) + health,
                "real_time": config.monitoring.real_time,
                "labels": labels,
            },
            opts_,
        )

        # The SLOs' Cloud Monitoring objects and burn-rate policies, to the same channels.
        Slo(
            f"{name}-slo",
            {
                "project": proj,
                "base_name": name,
                "title": f"tenant {spec.tenant_id}",
                "cluster_name": cluster_name,
                "namespace": ns,
                "availability": config.monitoring.slo.availability,
                "latency_p95": config.monitoring.slo.latency_p95,
                "channel_ids": alerts.channel_ids,
                "labels": labels,
            },
            opts_,
        )

        provider = k8s.Provider(
            f"{name}-k8s", kubeconfig=kubeconfig, enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # Every tenant stack has a budget on the billing account, filtered to the tenant, alerting its channels.
        Budget(
            f"{name}-budget",
            {
                "tenant_id": spec.tenant_id,
                "amount_usd": monthly_amount(settings.monthly_budget_usd, spec.tier),
                "billing_account": settings.billing_account or PLACEHOLDER_BILLING_ACCOUNT,
                "project_number": proj.number,
                "channel_ids": alerts.channel_ids,
                "provider": proj.provider,
            },
            pulumi.ResourceOptions(parent=self),
        )
        addons: list[pulumi.Resource] = []
        if spec.silo:
            # The silo cluster's own add-ons; a pooled tenant's come with the shared cluster's stack.
            addons = AddonBaseline(f"{name}-addons", {
                "cloud": "gcp", "kubernetes_version": config.cluster.kubernetes_version, "silo": True,
                "load_balancer": config.ingress.load_balancer, "cert_issuer": settings.cert_issuer,
                "labels": k8s_labels(spec), "real_time": config.monitoring.real_time, "after": depends_on,
            }, pulumi.ResourceOptions(parent=self, providers=[provider])).ready
        self.estate = Estate(
            k8s_provider=provider,
            kubeconfig=kubeconfig,
            service_cidrs=service_cidrs,
            database_endpoint=database.endpoint,
            cache_endpoint=cache.endpoint,
            alert_target=alerts.channel_ids.apply(",".join),
            service_account_annotations={"iam.gke.io/gcp-service-account": workload_sa.email},
            depends_on=depends_on,
            # Cloud SQL and Memorystore give their private IPs: egress to exactly these, not the shared range.
            data_endpoints=[(database.endpoint, DATA_PORTS["gcp"][0]), (cache.host, DATA_PORTS["gcp"][1])],
            addons=addons,
        )
        self.register_outputs(
            {"databaseEndpoint": database.endpoint, "cacheEndpoint": cache.endpoint, "keyId": key.key_id,
             "bucketName": storage.bucket_name}
        )
