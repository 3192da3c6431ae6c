"""Invariants of the gcp resources the components render (see the package docstring).

Benchmark ids: Checkov ``CKV_GCP_*``; CIS Google Kubernetes Engine (GKE) Benchmark v1.6 section 5 as
``CIS GKE``; CIS Google Cloud Platform Foundation Benchmark v2.0 as ``CIS GCP``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import Drop, Invariant, Set, Unset

CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
SQL = "gcp:sql/databaseInstance:DatabaseInstance"
REDIS = "gcp:redis/instance:Instance"
KEY = "gcp:kms/cryptoKey:CryptoKey"
KEY_GRANT = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"
BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"
PROJECT_GRANT = "gcp:projects/iAMMember:IAMMember"
SA_GRANT = "gcp:serviceaccount/iAMMember:IAMMember"
SUBNET = "gcp:compute/subnetwork:Subnetwork"
SINK = "gcp:logging/projectSink:ProjectSink"
GCS = "gcp:storage/bucket:Bucket"
GCS_GRANT = "gcp:storage/bucketIAMMember:BucketIAMMember"


def _flag(name: str) -> Any:
    """Cloud SQL instances that set PostgreSQL flag ``name`` (the component sets it at a fixed index)."""

    def where(props: Mapping[str, Any]) -> bool:
        flags = (props.get("settings") or {}).get("databaseFlags") or []
        return any(isinstance(f, Mapping) and f.get("name") == name for f in flags)

    return where


def _flag_index(name: str) -> int:
    """Where components/gcp/database.py puts the flag (max_connections first, then the logging flags)."""
    return ["max_connections", "log_connections", "log_disconnections"].index(name)


def _workload_identity(props: Mapping[str, Any]) -> bool:
    return props.get("role") == "roles/iam.workloadIdentityUser"


# Every node config the components render: the two node pools and the cluster's inline default-pool config.
def _node_rows(type_: str, prefix: str) -> list[Invariant]:
    return [
        Invariant(
            type_,
            f"{prefix}shieldedInstanceConfig.enableSecureBoot",
            "true",
            "gcp-gke-node-shielded-boot",
            (Set(f"{prefix}shieldedInstanceConfig.enableSecureBoot", False),),
            "nodes boot unsigned kernels and modules: a rootkit survives reboots",
            ("CKV_GCP_68", "CIS GKE 5.5.7"),
        ),
        Invariant(
            type_,
            f"{prefix}shieldedInstanceConfig.enableIntegrityMonitoring",
            "true",
            "gcp-gke-node-shielded-boot",
            (Set(f"{prefix}shieldedInstanceConfig.enableIntegrityMonitoring", False),),
            "a tampered boot sequence goes unnoticed",
            ("CKV_GCP_72", "CIS GKE 5.5.6"),
        ),
        Invariant(
            type_,
            f"{prefix}workloadMetadataConfig.mode",
            "GKE_METADATA",
            "gcp-gke-node-metadata-server",
            (Set(f"{prefix}workloadMetadataConfig.mode", "GCE_METADATA"),),
            "every pod can read the node service account's token from the metadata server",
            ("CKV_GCP_69", "CIS GKE 5.4.2"),
        ),
        Invariant(
            type_,
            f"{prefix}metadata.disable-legacy-endpoints",
            '"true"',
            "gcp-gke-node-legacy-metadata-disabled",
            (Set(f"{prefix}metadata.disable-legacy-endpoints", "false"),),
            "the v0.1/v1beta1 metadata endpoints answer without the Metadata-Flavor header (SSRF to node credentials)",
            ("CKV_GCP_67", "CIS GKE 5.4.1"),
        ),
        Invariant(
            type_,
            f"{prefix}kubeletConfig.insecureKubeletReadonlyPortEnabled",
            '"FALSE"',
            "gcp-gke-node-kubelet-readonly-port",
            (Set(f"{prefix}kubeletConfig.insecureKubeletReadonlyPortEnabled", "TRUE"),),
            "any pod can read every pod spec (env, volumes, service accounts) on its node from port 10255, unauthenticated",
            ("CIS GKE 3.2.4", "CIS Kubernetes 4.2.4"),
        ),
        Invariant(
            type_,
            f"{prefix}serviceAccount",
            "the cluster's own node service account",
            "gcp-gke-node-service-account",
            (Unset(f"{prefix}serviceAccount"),),
            "nodes run as the Compute Engine default account (Editor on the project) with the cloud-platform scope",
            ("CKV_GCP_30", "CKV_GCP_31", "CIS GKE 5.2.1"),
        ),
        Invariant(
            type_,
            f"{prefix}imageType",
            "COS_CONTAINERD",
            "gcp-gke-node-image-cos",
            (Set(f"{prefix}imageType", "UBUNTU_CONTAINERD"),),
            "a general-purpose OS with a writable root filesystem and a larger attack surface",
            ("CKV_GCP_22", "CIS GKE 5.5.1"),
        ),
        Invariant(
            type_,
            f"{prefix}bootDiskKmsKey",
            "the tenant's Cloud KMS key",
            "gcp-gke-node-disk-encryption",
            (Unset(f"{prefix}bootDiskKmsKey"),),
            "node disks (container images, emptyDir, logs) under a Google-managed key: no crypto-shredding",
            ("CIS GKE 5.9.2",),
        ),
    ]


ROWS: list[Invariant] = [
    # ------------------------------------------------------------- GKE control plane
    Invariant(
        CLUSTER,
        "enableLegacyAbac",
        "false",
        "gcp-gke-legacy-abac-disabled",
        (Set("enableLegacyAbac", True),),
        "ABAC grants every service account broad API rights that RBAC cannot take back",
        ("CKV_GCP_7", "CIS GKE 5.8.3"),
    ),
    Invariant(
        CLUSTER,
        "enableShieldedNodes",
        "true",
        "gcp-gke-shielded-nodes",
        (Set("enableShieldedNodes", False),),
        "a forged node can join the cluster and receive pods and secrets",
        ("CKV_GCP_71", "CIS GKE 5.5.5"),
    ),
    Invariant(
        CLUSTER,
        "workloadIdentityConfig.workloadPool",
        "<project>.svc.id.goog",
        "gcp-gke-workload-identity",
        (Unset("workloadIdentityConfig"),),
        "pods fall back to the node's service account: every tenant workload shares one identity",
        ("CIS GKE 5.2.2",),
    ),
    Invariant(
        CLUSTER,
        "masterAuthorizedNetworksConfig",
        "set",
        "gcp-gke-master-authorized-networks",
        (Unset("masterAuthorizedNetworksConfig"),),
        "any address that reaches the endpoint can try the Kubernetes API",
        ("CKV_GCP_20", "CIS GKE 5.6.3"),
    ),
    Invariant(
        CLUSTER,
        "masterAuthorizedNetworksConfig.cidrBlocks",
        "the tenant's subnet",
        "gcp-gke-master-authorized-networks",
        (Set("masterAuthorizedNetworksConfig.cidrBlocks.0.cidrBlock", "0.0.0.0/0"),),
        "the control plane accepts connections from the whole internet",
        ("CKV_GCP_20", "CIS GKE 5.6.3"),
    ),
    Invariant(
        CLUSTER,
        "masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled",
        "false",
        "gcp-gke-master-authorized-networks",
        (Set("masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled", True),),
        "every Google Cloud public IP (any customer's VM) may reach the control plane",
        ("CIS GKE 5.6.3",),
    ),
    Invariant(
        CLUSTER,
        "privateClusterConfig.enablePrivateEndpoint",
        "true",
        "gcp-gke-private-endpoint",
        (Set("privateClusterConfig.enablePrivateEndpoint", False),),
        "the control plane gets a public endpoint",
        ("CKV_GCP_18", "CIS GKE 5.6.4"),
    ),
    Invariant(
        CLUSTER,
        "privateClusterConfig.enablePrivateNodes",
        "true",
        "gcp-gke-private-endpoint",
        (Set("privateClusterConfig.enablePrivateNodes", False),),
        "nodes get external IPs reachable from the internet",
        ("CKV_GCP_64", "CKV_GCP_25", "CIS GKE 5.6.5"),
    ),
    Invariant(
        CLUSTER,
        "datapathProvider",
        "ADVANCED_DATAPATH",
        "gcp-gke-network-policy",
        (Unset("datapathProvider"),),
        "NetworkPolicy objects are accepted but not enforced: the default-deny does nothing",
        ("CKV_GCP_12", "CIS GKE 5.6.7"),
    ),
    Invariant(
        CLUSTER,
        "releaseChannel.channel",
        "REGULAR",
        "gcp-gke-release-channel",
        (Set("releaseChannel.channel", "UNSPECIFIED"),),
        "control plane and nodes stop receiving managed security patches",
        ("CKV_GCP_70", "CIS GKE 5.5.4"),
    ),
    Invariant(
        CLUSTER,
        "monitoringConfig.enableComponents",
        "SYSTEM_COMPONENTS, APISERVER, SCHEDULER, CONTROLLER_MANAGER",
        "gcp-gke-monitoring",
        (Set("monitoringConfig.enableComponents", []),),
        "no system metrics: the alerts on the tenant's cluster go blind",
        ("CKV_GCP_8", "CIS GKE 5.7.1"),
    ),
    Invariant(
        CLUSTER,
        "loggingConfig.enableComponents",
        "SYSTEM_COMPONENTS, WORKLOADS, APISERVER, ...",
        "gcp-gke-workload-logs",
        (Set("loggingConfig.enableComponents", ["APISERVER"]),),
        "system and workload logs are not collected: no trail of what ran on the nodes",
        ("CKV_GCP_1", "CIS GKE 5.7.1"),
    ),
    Invariant(
        CLUSTER,
        "loggingConfig.enableComponents",
        "includes APISERVER",
        "gcp-gke-audit-logs",
        (Set("loggingConfig.enableComponents", ["SYSTEM_COMPONENTS", "WORKLOADS"]),),
        "API server logs are dropped: no audit trail of who did what to the tenant's objects",
        ("CKV_GCP_1", "CIS GKE 5.7.1"),
    ),
    Invariant(
        CLUSTER,
        "masterAuth.clientCertificateConfig.issueClientCertificate",
        "false",
        "gcp-gke-no-static-credentials",
        (Set("masterAuth.clientCertificateConfig.issueClientCertificate", True),),
        "a never-expiring admin client certificate that cannot be revoked",
        ("CKV_GCP_13", "CKV_GCP_19", "CIS GKE 5.8.1"),
    ),
    Invariant(
        CLUSTER,
        "networkingMode",
        "VPC_NATIVE",
        "gcp-gke-vpc-native",
        (Set("networkingMode", "ROUTES"),),
        "pod IPs escape the subnet's secondary ranges: firewall rules and private service access cannot address them",
        ("CKV_GCP_23", "CIS GKE 5.6.2"),
    ),
    Invariant(
        CLUSTER,
        "securityPostureConfig.mode",
        "BASIC",
        "gcp-gke-security-posture",
        (Set("securityPostureConfig.mode", "DISABLED"),),
        "workload misconfiguration and vulnerability findings are no longer produced",
    ),
    Invariant(
        CLUSTER,
        "databaseEncryption.state",
        "ENCRYPTED",
        "gcp-gke-secrets-encryption",
        (Set("databaseEncryption.state", "DECRYPTED"),),
        "Kubernetes Secrets in etcd only under Google's default key",
        ("CIS GKE 5.3.1",),
    ),
    Invariant(
        CLUSTER,
        "databaseEncryption.keyName",
        "the tenant's Cloud KMS key",
        "gcp-gke-secrets-encryption",
        (Unset("databaseEncryption.keyName"),),
        "no tenant key wraps the secrets: no revocation or crypto-shredding",
        ("CIS GKE 5.3.1",),
    ),
    *_node_rows(CLUSTER, "nodeConfig."),
    # ------------------------------------------------------------- GKE node pools
    *_node_rows(NODE_POOL, "nodeConfig."),
    Invariant(
        NODE_POOL,
        "management.autoRepair",
        "true",
        "gcp-gke-node-auto-repair-upgrade",
        (Set("management.autoRepair", False),),
        "a broken or compromised node keeps serving until someone notices",
        ("CKV_GCP_9", "CIS GKE 5.5.2"),
    ),
    Invariant(
        NODE_POOL,
        "management.autoUpgrade",
        "true",
        "gcp-gke-node-auto-repair-upgrade",
        (Set("management.autoUpgrade", False),),
        "nodes stay on a kubelet and OS with known vulnerabilities",
        ("CKV_GCP_10", "CIS GKE 5.5.3"),
    ),
    # ------------------------------------------------------------- Cloud SQL
    Invariant(
        SQL,
        "settings.backupConfiguration.enabled",
        "true",
        "gcp-sql-backups",
        (Set("settings.backupConfiguration.enabled", False),),
        "no automated backups: a deleted or corrupted database is lost",
        ("CKV_GCP_14", "CIS GCP 6.7"),
    ),
    Invariant(
        SQL,
        "settings.backupConfiguration.pointInTimeRecoveryEnabled",
        "true",
        "gcp-sql-backups",
        (Set("settings.backupConfiguration.pointInTimeRecoveryEnabled", False),),
        "a restore loses everything since the last daily backup",
        ("CIS GCP 6.7",),
    ),
    Invariant(
        SQL,
        "settings.ipConfiguration.authorizedNetworks",
        "none",
        "gcp-sql-no-world-authorized-network",
        (Set("settings.ipConfiguration.authorizedNetworks", [{"name": "any", "value": "0.0.0.0/0"}]),),
        "the instance accepts connections from every internet address once it has a public IP",
        ("CKV_GCP_11", "CIS GCP 6.5"),
    ),
    Invariant(
        SQL,
        "settings.ipConfiguration.ipv4Enabled",
        "false",
        "gcp-sql-no-public-ip",
        (Set("settings.ipConfiguration.ipv4Enabled", True),),
        "the database gets a public IPv4 address",
        ("CKV_GCP_60", "CIS GCP 6.6"),
    ),
    Invariant(
        SQL,
        "settings.ipConfiguration.sslMode",
        "ENCRYPTED_ONLY",
        "gcp-sql-tls",
        (Set("settings.ipConfiguration.sslMode", "ALLOW_UNENCRYPTED_AND_ENCRYPTED"),),
        "clients may connect in plaintext: credentials and rows readable on the wire",
        ("CKV_GCP_6", "CIS GCP 6.4"),
    ),
    Invariant(
        SQL,
        "encryptionKeyName",
        "the tenant's Cloud KMS key",
        "gcp-sql-cmk-encryption",
        (Unset("encryptionKeyName"),),
        "data, backups and replicas under a Google-managed key: no crypto-shredding",
    ),
    Invariant(
        SQL,
        "settings.databaseFlags[name=log_connections].value",
        '"on"',
        "gcp-sql-postgres-log-flags",
        (Set(f"settings.databaseFlags.{_flag_index('log_connections')}.value", "off"),),
        "connection attempts (and brute force) leave no trace",
        ("CKV_GCP_52", "CIS GCP 6.2.2"),
        _flag("log_connections"),
    ),
    Invariant(
        SQL,
        "settings.databaseFlags[name=log_disconnections].value",
        '"on"',
        "gcp-sql-postgres-log-flags",
        (Set(f"settings.databaseFlags.{_flag_index('log_disconnections')}.value", "off"),),
        "session ends are not logged: session durations cannot be reconstructed",
        ("CKV_GCP_53", "CIS GCP 6.2.3"),
        _flag("log_disconnections"),
    ),
    Invariant(
        SQL,
        "settings.insightsConfig.recordClientAddress",
        "false",
        "gcp-sql-insights-no-client-address",
        (Set("settings.insightsConfig.recordClientAddress", True),),
        "end users' client IP addresses (personal data) kept in Query Insights",
    ),
    # ------------------------------------------------------------- Memorystore
    Invariant(
        REDIS,
        "authEnabled",
        "true",
        "gcp-redis-auth",
        (Set("authEnabled", False),),
        "anything that reaches the private IP reads and writes the cache without a password",
        ("CKV_GCP_95",),
    ),
    Invariant(
        REDIS,
        "transitEncryptionMode",
        "SERVER_AUTHENTICATION",
        "gcp-redis-tls",
        (Set("transitEncryptionMode", "DISABLED"),),
        "cache traffic and the AUTH string in plaintext (the TLS listener is port 6378)",
        ("CKV_GCP_97",),
    ),
    Invariant(
        REDIS,
        "customerManagedKey",
        "the tenant's Cloud KMS key",
        "gcp-redis-cmk-encryption",
        (Unset("customerManagedKey"),),
        "cached data and snapshots under a Google-managed key",
    ),
    Invariant(
        REDIS,
        "connectMode",
        "PRIVATE_SERVICE_ACCESS",
        "gcp-redis-private-service-access",
        (Set("connectMode", "DIRECT_PEERING"),),
        "the instance peers outside the tenant's reserved private-services range",
    ),
    Invariant(
        REDIS,
        "authorizedNetwork",
        "the tenant's (or the shared) VPC",
        "gcp-redis-private-service-access",
        (Unset("authorizedNetwork"),),
        "the instance joins the project's default network, reachable by whatever runs there",
    ),
    # ------------------------------------------------------------- Cloud KMS
    Invariant(
        KEY,
        "rotationPeriod",
        "7776000s",
        "gcp-kms-key-rotation",
        (Set("rotationPeriod", "31536000s"),),
        "one key version protects a year of data",
        ("CKV_GCP_43", "CIS GCP 1.10"),
    ),
    Invariant(
        KEY,
        "versionTemplate.protectionLevel",
        "HSM",
        "gcp-kms-key-hsm",
        (Set("versionTemplate.protectionLevel", "SOFTWARE"),),
        "key material handled in software outside an HSM boundary",
    ),
    Invariant(
        KEY,
        "destroyScheduledDuration",
        "2592000s",
        "gcp-kms-key-destroy-delay",
        (Set("destroyScheduledDuration", "86400s"),),
        "a mistaken or malicious destroy makes every tenant resource unreadable within a day",
    ),
    Invariant(
        KEY_GRANT,
        "role",
        "roles/cloudkms.cryptoKeyEncrypterDecrypter",
        "gcp-kms-key-grants",
        (Set("role", "roles/cloudkms.admin"),),
        "a service agent may change or destroy the tenant key, not just use it",
        ("CIS GCP 1.11",),
    ),
    Invariant(
        KEY_GRANT,
        "member",
        "a Google service agent of the tenant's project",
        "gcp-kms-key-grants",
        (Set("member", "allUsers"),),
        "anyone may use the tenant key",
        ("CKV_GCP_112", "CIS GCP 1.9"),
    ),
    # ------------------------------------------------------------- logs, IAM, VPC
    Invariant(
        BUCKET,
        "cmekSettings.kmsKeyName",
        "the tenant's Cloud KMS key",
        "gcp-logging-bucket-encryption",
        (Unset("cmekSettings"),),
        "audit and workload logs under a Google-managed key",
    ),
    Invariant(
        BUCKET,
        "retentionDays",
        "monitoring.metrics_retention, at least the frameworks' minimum",
        "gcp-logging-bucket-retention",
        (Set("retentionDays", 1),),
        "audit evidence deleted before the frameworks' retention period",
    ),
    Invariant(
        SINK,
        "filter",
        'resource.labels.cluster_name="<tenant>" (silo) or namespace_name="tenant-<id>" (pooled)',
        "gcp-logging-sink-tenant-scope",
        (Set("filter", 'resource.type="k8s_container"'),),
        "the tenant's bucket (and whoever reads it) receives every tenant's logs of the shared project or cluster",
    ),
    Invariant(
        SINK,
        "destination",
        "logging.googleapis.com/.../buckets/<the tenant's bucket>",
        "gcp-logging-sink-tenant-scope",
        (Set("destination", "logging.googleapis.com/projects/elsewhere/locations/global/buckets/_Default"),),
        "the tenant's audit and workload logs are copied into a bucket the tenant's key and retention do not govern",
    ),
    Invariant(
        PROJECT_GRANT,
        "role",
        "a predefined role from NODE_ROLES",
        "gcp-iam-project-least-privilege",
        (Set("role", "roles/editor"),),
        "the node service account may change almost anything in the project",
        ("CKV_GCP_117", "CKV_GCP_41", "CIS GCP 1.5", "CIS GCP 1.6"),
    ),
    Invariant(
        PROJECT_GRANT,
        "member",
        "the cluster's node service account",
        "gcp-iam-project-least-privilege",
        (Set("member", "allAuthenticatedUsers"),),
        "every Google account gets the role on the tenant's project",
        ("CKV_GCP_113",),
    ),
    Invariant(
        SA_GRANT,
        "member",
        "serviceAccount:<project>.svc.id.goog[tenant-<id>/<workload>]",
        "gcp-iam-workload-identity-namespace",
        (Set("member", "serviceAccount:tenant-platform-placeholder.svc.id.goog[kube-system/default]"),),
        "a Kubernetes service account outside the tenant's namespace acts as the tenant's Google identity",
        (),
        _workload_identity,
    ),
    Invariant(
        SUBNET,
        "logConfig",
        "INTERVAL_5_SEC, flowSampling 0.5, INCLUDE_ALL_METADATA",
        "gcp-compute-subnet-flow-logs",
        (Unset("logConfig"),),
        "no record of which addresses the nodes talked to",
        ("CKV_GCP_26", "CIS GCP 3.8"),
    ),
    Invariant(
        "gcp:monitoring/alertPolicy:AlertPolicy",
        "(exists)",
        "a disk-utilization alert per Cloud SQL instance",
        "gcp-cloudsql-storage-alert",
        (Drop(),),
        "the database fills up and refuses writes with nobody paged",
        where=lambda p: "cloudsql.googleapis.com/database/disk/utilization" in str(p.get("conditions")),
    ),
    # ---------------------------------------------------------------- GCS (object storage)
    Invariant(GCS, "encryption.defaultKmsKeyName", "the tenant's Cloud KMS key", "gcp-storage-cmk-encryption",
              (Unset("encryption"),), "objects under a Google-managed key: no tenant revocation or crypto-shredding"),
    Invariant(GCS, "uniformBucketLevelAccess", "true", "gcp-storage-uniform-access",
              (Set("uniformBucketLevelAccess", False),), "object ACLs can grant anyone access beside IAM",
              ("CKV_GCP_29", "CIS GCP 5.2")),
    Invariant(GCS, "publicAccessPrevention", "enforced", "gcp-storage-public-access-prevention",
              (Set("publicAccessPrevention", "inherited"),), "an allUsers grant makes the tenant's objects public",
              ("CKV_GCP_114", "CIS GCP 5.1")),
    Invariant(GCS, "versioning.enabled", "true", "gcp-storage-versioning", (Set("versioning.enabled", False),),
              "an overwrite or a delete destroys the only copy", ("CKV_GCP_78",)),
    Invariant(GCS, "lifecycleRules.*.condition.daysSinceNoncurrentTime", "the tier's noncurrent_version_days",
              "gcp-storage-noncurrent-version-expiry", (Unset("lifecycleRules"),),
              "noncurrent versions are kept for ever: no erasure, an ever-growing bill"),
    Invariant(GCS, "location", "the tenant's region", "gcp-storage-bucket-location", (Set("location", "US"),),
              "a multi-region bucket copies the tenant's objects across regions and borders"),
    Invariant(GCS_GRANT, "member", "the workload's Google service account", "gcp-storage-iam-scoped",
              (Set("member", "allUsers"),), "anyone on the internet reads the tenant's objects", ("CKV_GCP_28", "CIS GCP 5.1")),
    Invariant(GCS_GRANT, "role", "roles/storage.objectUser", "gcp-storage-iam-scoped",
              (Set("role", "roles/storage.admin"),), "the workload rewrites the bucket's IAM and settings"),
]
