"""GCP hardening beyond encryption and exposure: GKE control plane, nodes and identity, Cloud SQL backups and
logging flags, Memorystore AUTH and placement, Cloud KMS key strength and grants, IAM and VPC flow logs.

Each check reads the engine (camelCase) inputs. A missing property is the provider's default: where that
default is the insecure choice (secure boot off, no workload identity, AUTH off, SOFTWARE keys, no flow logs)
the policy fails; where the default is secure (legacy ABAC off, shielded nodes on, integrity monitoring on,
node auto-repair/upgrade on) only an explicit insecure value fails.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import ResourceValidationPolicy, Severity, StackValidationPolicy

from .base import (
    AUDIT,
    BACKUP,
    ENCRYPTION,
    KEY_MANAGEMENT,
    NETWORK,
    SEGREGATION,
    UNKNOWN,
    WORLD,
    Context,
    Controls,
    Meta,
    Resource,
    as_int,
    as_list,
    get,
    is_set,
    resource_policy,
    stack_policy,
    string_list,
    truthy,
)

CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
SQL = "gcp:sql/databaseInstance:DatabaseInstance"
REDIS = "gcp:redis/instance:Instance"
CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey"
GKE_TYPES = [CLUSTER, NODE_POOL]

HARDENING = Controls(gdpr=("Art.32(1)(b)",), soc2=("CC6.1", "CC6.8"), iso27001=("A.8.9", "A.8.8"))
IDENTITY = Controls(gdpr=("Art.32(1)(b)",), soc2=("CC6.1", "CC6.3"), iso27001=("A.5.15", "A.8.2", "A.8.5"))
MONITORING = Controls(gdpr=("Art.33",), soc2=("CC7.2",), iso27001=("A.8.15", "A.8.16"))

PUBLIC_MEMBERS = frozenset({"allUsers", "allAuthenticatedUsers"})
DEFAULT_COMPUTE_SA = re.compile(r"^(serviceAccount:)?\d+-compute@developer\.gserviceaccount\.com$")
RELEASE_CHANNELS = frozenset({"RAPID", "REGULAR", "STABLE", "EXTENDED"})
KEY_ROLES = [
    "roles/cloudkms.cryptoKeyEncrypterDecrypter",
    "roles/cloudkms.cryptoKeyEncrypter",
    "roles/cloudkms.cryptoKeyDecrypter",
]
# Project-level roles that grant everything (basic roles) or let the holder act as any service account.
PROJECT_ROLES_DENIED = [
    "roles/owner",
    "roles/editor",
    "roles/viewer",
    "roles/iam.serviceAccountUser",
    "roles/iam.serviceAccountTokenCreator",
    "roles/iam.serviceAccountAdmin",
    "roles/iam.securityAdmin",
]


def _meta(
    name: str,
    description: str,
    remediation: str,
    category: str = "hardening",
    severity: Severity = Severity.HIGH,
    controls: Controls = HARDENING,
    critical: bool = False,
    config: dict[str, Any] | None = None,
) -> Meta:
    return Meta(name, description, severity, remediation, controls, category, True, dict(config or {}), critical)


def _world(cidr: Any) -> bool:
    """0.0.0.0/0, ::/0, any other /0 prefix, or a wildcard word."""
    text = str(cidr).strip()
    if text in WORLD:
        return True
    try:
        return ipaddress.ip_network(text, strict=False).prefixlen == 0
    except ValueError:
        return False


def _on(value: Any) -> bool:
    """A PostgreSQL boolean flag value that turns the setting on."""
    return value is UNKNOWN or str(value).strip().lower() in {"on", "true", "yes", "1"}


def _number(value: Any) -> float | None:
    """A number or its string form (``"0.5"``); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value)) if isinstance(value, str) else None
    except ValueError:
        return None


def _seconds(duration: Any) -> int | None:
    """``"7776000s"`` → 7776000; None when absent or not a duration in seconds."""
    text = str(duration or "").strip()
    return as_int(text[:-1]) if text.endswith("s") else None


# ------------------------------------------------------------------ GKE control plane


def _legacy_abac(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if truthy(props.get("enableLegacyAbac")) and props.get("enableLegacyAbac") is not UNKNOWN:
        yield "GKE cluster must keep legacy ABAC disabled (enableLegacyAbac: false); RBAC alone authorizes."


def _shielded_nodes(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    value = props.get("enableShieldedNodes")
    if value is not None and not truthy(value):  # the provider's default is true
        yield "GKE cluster must enable shielded nodes (enableShieldedNodes: true)."


def _workload_identity(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if truthy(props.get("enableAutopilot")):
        return  # Autopilot always runs workload identity
    pool = get(props, "workloadIdentityConfig", "workloadPool")
    if not (pool is UNKNOWN or (isinstance(pool, str) and pool.endswith(".svc.id.goog"))):
        yield "GKE cluster must enable workload identity (workloadIdentityConfig.workloadPool: <project>.svc.id.goog)."


def _authorized_networks(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    config = props.get("masterAuthorizedNetworksConfig")
    blocks = [get(b, "cidrBlock") for b in as_list(get(config, "cidrBlocks"))]
    if not isinstance(config, Mapping) or any(_world(b) for b in blocks) or truthy(get(config, "gcpPublicCidrsAccessEnabled")):
        yield (
            "GKE cluster must restrict its control plane to authorized networks (masterAuthorizedNetworksConfig with "
            "cidrBlocks never 0.0.0.0/0 and gcpPublicCidrsAccessEnabled: false)."
        )


def _network_policy(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if truthy(props.get("enableAutopilot")):
        return  # Autopilot runs Dataplane V2
    dataplane_v2 = props.get("datapathProvider") == "ADVANCED_DATAPATH"
    calico = truthy(get(props, "networkPolicy", "enabled")) and not truthy(
        get(props, "addonsConfig", "networkPolicyConfig", "disabled")
    )
    if not (dataplane_v2 or calico):
        yield (
            "GKE cluster must enforce NetworkPolicy (datapathProvider: ADVANCED_DATAPATH, or networkPolicy.enabled "
            "with the networkPolicyConfig addon)."
        )


def _release_channel(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    channel = get(props, "releaseChannel", "channel")
    if channel is not UNKNOWN and channel not in RELEASE_CHANNELS:
        yield "GKE cluster must be enrolled in a release channel (releaseChannel.channel: RAPID, REGULAR, STABLE or EXTENDED)."


def _monitoring(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    components = get(props, "monitoringConfig", "enableComponents")
    if props.get("monitoringService") == "none" or (
        components is not None and components is not UNKNOWN and "SYSTEM_COMPONENTS" not in as_list(components)
    ):
        yield (
            "GKE cluster must ship system metrics to Cloud Monitoring "
            "(monitoringConfig.enableComponents includes SYSTEM_COMPONENTS)."
        )


def _workload_logs(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    components = get(props, "loggingConfig", "enableComponents")
    if components is UNKNOWN:
        return
    if props.get("loggingService") == "none" or not {"SYSTEM_COMPONENTS", "WORKLOADS"} <= set(as_list(components)):
        yield (
            "GKE cluster must ship system and workload logs "
            "(loggingConfig.enableComponents includes SYSTEM_COMPONENTS and WORKLOADS)."
        )


def _static_credentials(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    auth = props.get("masterAuth")
    if (
        truthy(get(auth, "clientCertificateConfig", "issueClientCertificate"))
        or is_set(get(auth, "username"))
        or is_set(get(auth, "password"))
    ):
        yield (
            "GKE cluster must not issue static credentials (masterAuth.clientCertificateConfig.issueClientCertificate: "
            "false, no basic-auth username or password)."
        )


def _vpc_native(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if truthy(props.get("enableAutopilot")):
        return
    if props.get("networkingMode") == "ROUTES" or not isinstance(props.get("ipAllocationPolicy"), Mapping):
        yield "GKE cluster must be VPC-native (networkingMode: VPC_NATIVE with an ipAllocationPolicy)."


def _security_posture(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    posture = props.get("securityPostureConfig")
    if get(posture, "mode") == "DISABLED" or get(posture, "vulnerabilityMode") == "VULNERABILITY_DISABLED":
        yield "GKE cluster must keep security posture and vulnerability scanning on (securityPostureConfig not DISABLED)."


# ------------------------------------------------------------------ GKE nodes (node pools and the cluster's inline configs)


def _node_configs(props: Mapping[str, Any], ctx: Context) -> list[tuple[str, Mapping[str, Any], Mapping[str, Any]]]:
    """(where, nodeConfig, pool) for every node config the resource creates nodes from."""
    if ctx.resource_type == NODE_POOL:
        config = props.get("nodeConfig")
        return [("GKE node pool", config if isinstance(config, Mapping) else {}, props)]
    if truthy(props.get("enableAutopilot")):
        return []  # Autopilot manages the nodes: shielded, secure boot, GKE metadata server
    out: list[tuple[str, Mapping[str, Any], Mapping[str, Any]]] = []
    inline, pools = props.get("nodeConfig"), as_list(props.get("nodePools"))
    # The default pool boots from the inline nodeConfig even when it is removed right after creation.
    if isinstance(inline, Mapping):
        out.append(("GKE cluster nodeConfig", inline, {}))
    elif not truthy(props.get("removeDefaultNodePool")) and not pools:
        out.append(("GKE cluster default node pool", {}, {}))
    for index, pool in enumerate(pools):
        config = get(pool, "nodeConfig")
        out.append((f"GKE cluster nodePools[{index}]", config if isinstance(config, Mapping) else {}, pool))
    return out


def _shielded_boot(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    for where, config, _ in _node_configs(props, ctx):
        shielded = get(config, "shieldedInstanceConfig")
        integrity = get(shielded, "enableIntegrityMonitoring")
        if not truthy(get(shielded, "enableSecureBoot")) or (integrity is not None and not truthy(integrity)):
            yield (
                f"{where} must boot shielded nodes (shieldedInstanceConfig.enableSecureBoot: true, "
                "enableIntegrityMonitoring not false)."
            )


def _metadata_server(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    for where, config, _ in _node_configs(props, ctx):
        mode = get(config, "workloadMetadataConfig", "mode")
        if mode is not UNKNOWN and mode != "GKE_METADATA":
            yield f"{where} must run the GKE metadata server (nodeConfig.workloadMetadataConfig.mode: GKE_METADATA)."


def _legacy_metadata(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    for where, config, _ in _node_configs(props, ctx):
        # Older node versions serve the v1beta1 / v0.1 endpoints unless the key says otherwise.
        if not truthy(get(config, "metadata", "disable-legacy-endpoints")):
            yield f'{where} must disable the legacy metadata endpoints (nodeConfig.metadata.disable-legacy-endpoints: "true").'


def _kubelet_readonly_port(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    for where, config, _ in _node_configs(props, ctx):
        # Unset, the node version decides (open before GKE 1.32): only an explicit FALSE closes it.
        value = get(config, "kubeletConfig", "insecureKubeletReadonlyPortEnabled")
        if value is not UNKNOWN and str(value).strip().upper() != "FALSE":
            yield (
                f"{where} must close the kubelet read-only port "
                '(nodeConfig.kubeletConfig.insecureKubeletReadonlyPortEnabled: "FALSE").'
            )


def _node_service_account(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    for where, config, _ in _node_configs(props, ctx):
        account = get(config, "serviceAccount")
        if account is UNKNOWN:
            continue
        if not is_set(account) or str(account).strip() == "default" or DEFAULT_COMPUTE_SA.match(str(account).strip()):
            yield (
                f"{where} must run as a dedicated least-privilege service account, not the Compute Engine default "
                "(nodeConfig.serviceAccount)."
            )


def _node_management(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    for where, _, pool in _node_configs(props, ctx):
        management = get(pool, "management")
        repair, upgrade = get(management, "autoRepair"), get(management, "autoUpgrade")
        if (repair is not None and not truthy(repair)) or (upgrade is not None and not truthy(upgrade)):
            yield f"{where} must keep auto-repair and auto-upgrade on (management.autoRepair and autoUpgrade not false)."


def _node_image(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    for where, config, _ in _node_configs(props, ctx):
        image = get(config, "imageType")
        if image is not None and image is not UNKNOWN and not str(image).upper().startswith("COS"):
            yield f"{where} must run Container-Optimized OS (nodeConfig.imageType: COS_CONTAINERD)."


# ------------------------------------------------------------------ Cloud SQL


def _sql_backups(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    backup = get(props, "settings", "backupConfiguration")
    if not truthy(get(backup, "enabled")) or not truthy(get(backup, "pointInTimeRecoveryEnabled")):
        yield (
            "Cloud SQL instance must take automated backups with point-in-time recovery "
            "(settings.backupConfiguration.enabled and pointInTimeRecoveryEnabled: true)."
        )


def _sql_authorized_networks(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    networks = as_list(get(props, "settings", "ipConfiguration", "authorizedNetworks"))
    if any(_world(get(n, "value")) for n in networks):
        yield "Cloud SQL instance must not authorize 0.0.0.0/0 (settings.ipConfiguration.authorizedNetworks)."


# Flags the platform requires on every PostgreSQL instance (CIS GCP 6.2.2 / 6.2.3).
PG_REQUIRED_ON = ("log_connections", "log_disconnections")
# Flags that, where set, must turn the setting on.
PG_ON_IF_SET = ("log_checkpoints", "log_lock_waits", "log_hostname", "cloudsql.enable_pgaudit", "cloudsql.iam_authentication")
PG_LEVELS = ("debug5", "debug4", "debug3", "debug2", "debug1", "info", "notice", "warning", "error", "log", "fatal", "panic")
# Flags that, where set, must keep a value that logs enough (CIS GCP 6.2.x, Checkov CKV_GCP_55/56/57/109/111):
# flag → (accepted values, as the message states them).
PG_IF_SET: dict[str, tuple[frozenset[str], str]] = {
    # Statement durations log statement text with its parameters: tenant data in the logs.
    "log_min_duration_statement": (frozenset({"-1"}), "-1"),
    "log_temp_files": (frozenset({"0"}), "0"),
    "log_min_messages": (frozenset(PG_LEVELS[: PG_LEVELS.index("warning") + 1]), "warning or more verbose"),
    "log_min_error_statement": (frozenset(PG_LEVELS[: PG_LEVELS.index("error") + 1]), "error or more verbose"),
    "log_statement": (frozenset({"ddl", "mod", "all"}), "ddl, mod or all"),
    "log_error_verbosity": (frozenset({"default", "verbose"}), "default or verbose"),
}


def _pg_flags(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not str(props.get("databaseVersion") or "POSTGRES").upper().startswith("POSTGRES"):
        return
    flags = {str(get(f, "name")): get(f, "value") for f in as_list(get(props, "settings", "databaseFlags"))}
    for name in PG_REQUIRED_ON:
        if name not in flags or not _on(flags[name]):
            yield f"Cloud SQL PostgreSQL instance must set flag {name} to on (settings.databaseFlags)."
    for name in PG_ON_IF_SET:
        if name in flags and not _on(flags[name]):
            yield f"Cloud SQL PostgreSQL instance must keep flag {name} on where it is set (settings.databaseFlags)."
    for name, (allowed, wanted) in PG_IF_SET.items():
        if name in flags and flags[name] is not UNKNOWN and str(flags[name]).strip().lower() not in allowed:
            yield f"Cloud SQL PostgreSQL instance must set flag {name} to {wanted} where it is set (settings.databaseFlags)."


def _sql_insights_privacy(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if truthy(get(props, "settings", "insightsConfig", "recordClientAddress")):
        yield "Cloud SQL Query Insights must not record client IP addresses (settings.insightsConfig.recordClientAddress: false)."


# ------------------------------------------------------------------ Memorystore


def _redis_auth(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not truthy(props.get("authEnabled")):
        yield "Memorystore instance must require Redis AUTH (authEnabled: true)."


def _redis_network(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    network = props.get("authorizedNetwork")
    default_network = isinstance(network, str) and (network == "default" or network.endswith("/networks/default"))
    if props.get("connectMode") != "PRIVATE_SERVICE_ACCESS" or not is_set(network) or default_network:
        yield (
            "Memorystore instance must connect through private service access on the tenant's network "
            "(connectMode: PRIVATE_SERVICE_ACCESS, authorizedNetwork not the default network)."
        )


# ------------------------------------------------------------------ Cloud KMS


def _key_protection(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    allowed = [str(v) for v in ctx.setting("keyProtectionLevels", ["HSM", "EXTERNAL", "EXTERNAL_VPC"])]
    level = get(props, "versionTemplate", "protectionLevel")
    if level is not UNKNOWN and (level or "SOFTWARE") not in allowed:
        yield f"Cloud KMS key must keep its material in an HSM (versionTemplate.protectionLevel: {' or '.join(allowed)})."


def _key_destroy_delay(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    minimum = int(ctx.setting("minDestroyScheduledDays", 30))
    raw = props.get("destroyScheduledDuration")
    if raw is None or raw is UNKNOWN:
        return  # the provider's default is 30 days
    seconds = _seconds(raw)
    if seconds is None or seconds < minimum * 86400:
        yield (
            f"Cloud KMS key must wait at least {minimum} days before destroying a version "
            f"(destroyScheduledDuration ≥ {minimum * 86400}s)."
        )


def _key_grants(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    allowed = [str(r) for r in ctx.setting("keyRoles", KEY_ROLES)]
    members = [props.get("member")] if "member" in props else as_list(props.get("members"))
    if any(str(m).strip() in PUBLIC_MEMBERS for m in members):
        yield "Cloud KMS grant must not name allUsers or allAuthenticatedUsers."
    role = props.get("role")
    if role is not UNKNOWN and role not in allowed:
        yield f"Cloud KMS grant must give only the key-use roles ({', '.join(allowed)}), not {role}."


# ------------------------------------------------------------------ IAM


def _project_grants(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    denied = [str(r) for r in ctx.setting("deniedProjectRoles", PROJECT_ROLES_DENIED)]
    members = [props.get("member")] if "member" in props else as_list(props.get("members"))
    if any(str(m).strip() in PUBLIC_MEMBERS for m in members):
        yield "Project IAM grant must not name allUsers or allAuthenticatedUsers."
    if props.get("role") in denied:
        yield f"Project IAM grant must not give {props.get('role')} (basic or service-account impersonation role)."


WORKLOAD_MEMBER = re.compile(r"^serviceAccount:[^\[\]]+\.svc\.id\.goog\[(?P<namespace>[^/\]]+)/[^\]]+\]$")


def _workload_identity_binding(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    members = [props.get("member")] if "member" in props else as_list(props.get("members"))
    if any(str(m).strip() in PUBLIC_MEMBERS for m in members):
        yield "Service account IAM grant must not name allUsers or allAuthenticatedUsers."
    if props.get("role") != "roles/iam.workloadIdentityUser" or not ctx.tenant:
        return
    namespace = f"tenant-{ctx.tenant}"
    for member in members:
        if member is UNKNOWN:
            continue
        match = WORKLOAD_MEMBER.match(str(member).strip())
        if match is None or match.group("namespace") != namespace:
            yield (
                f"Workload identity grant must bind a Kubernetes service account of the tenant's namespace "
                f"{namespace} (member serviceAccount:<project>.svc.id.goog[{namespace}/<name>])."
            )


# ------------------------------------------------------------------ VPC


# Proxy-only and Private Service Connect subnets carry no VM traffic to log.
NO_FLOW_LOG_PURPOSES = frozenset({"REGIONAL_MANAGED_PROXY", "GLOBAL_MANAGED_PROXY", "PRIVATE_SERVICE_CONNECT"})


def _flow_logs(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if props.get("purpose") in NO_FLOW_LOG_PURPOSES:
        return
    log = props.get("logConfig")
    sampling = _number(get(log, "flowSampling"))
    if not isinstance(log, Mapping) or (sampling is not None and sampling <= 0) or get(log, "metadata") == "EXCLUDE_ALL_METADATA":
        yield "Subnetwork must record VPC flow logs (logConfig with flowSampling > 0 and metadata included)."


# ------------------------------------------------------------------ log routing (stack)

SINK = "gcp:logging/projectSink:ProjectSink"
BUCKET_TYPES = frozenset({"gcp:logging/projectBucketConfig:ProjectBucketConfig"})


def _sink_scope(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    """The tenant's sinks select only its own cluster's or namespace's logs and write only to its own buckets."""
    if not ctx.tenant:
        return
    namespace = f'resource.labels.namespace_name="tenant-{ctx.tenant}"'
    scopes = [namespace] + [
        f'resource.labels.cluster_name="{r.props.get("name")}"'
        for r in resources
        if r.type == CLUSTER and isinstance(r.props.get("name"), str)
    ]
    buckets = [str(r.props.get("bucketId")) for r in resources if r.type in BUCKET_TYPES and is_set(r.props.get("bucketId"))]
    for sink in (r for r in resources if r.type == SINK):
        text = sink.props.get("filter")
        if text is not UNKNOWN and (not isinstance(text, str) or not any(s in text for s in scopes) or " OR " in text):
            yield (
                f"Log sink {sink.name} must select only tenant {ctx.tenant!r}'s logs (filter on its own "
                f'cluster_name or on namespace_name "tenant-{ctx.tenant}", without OR).',
                sink.urn,
            )
        destination = sink.props.get("destination")
        if destination is not UNKNOWN and not (
            isinstance(destination, str)
            and destination.startswith("logging.googleapis.com/")
            and any(destination.endswith(f"/buckets/{b}") for b in buckets)
        ):
            yield (
                f"Log sink {sink.name} must write to a log bucket created in the tenant's stack "
                "(destination logging.googleapis.com/.../buckets/<bucketId>).",
                sink.urn,
            )


# ------------------------------------------------------------------ the policies

GKE_FIX = "Restore the setting in components/gcp/cluster.py; every tenant and shared cluster is built from it."

POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    resource_policy(
        _meta(
            "gcp-gke-legacy-abac-disabled",
            "Checks that GKE clusters keep legacy ABAC disabled so that RBAC alone authorizes.",
            "Set enableLegacyAbac: false.",
            "isolation",
            Severity.CRITICAL,
            IDENTITY,
            critical=True,
        ),
        [CLUSTER],
        _legacy_abac,
    ),
    resource_policy(
        _meta("gcp-gke-shielded-nodes", "Checks that GKE clusters enable shielded nodes.", "Set enableShieldedNodes: true."),
        [CLUSTER],
        _shielded_nodes,
    ),
    resource_policy(
        _meta(
            "gcp-gke-workload-identity",
            "Checks that GKE clusters enable workload identity so that pods never use the node's credentials.",
            "Set workloadIdentityConfig.workloadPool to <project>.svc.id.goog.",
            "isolation",
            controls=IDENTITY,
        ),
        [CLUSTER],
        _workload_identity,
    ),
    resource_policy(
        _meta(
            "gcp-gke-master-authorized-networks",
            "Checks that GKE control planes accept only authorized networks, never 0.0.0.0/0.",
            "Set masterAuthorizedNetworksConfig.cidrBlocks to the tenant's subnet and gcpPublicCidrsAccessEnabled: false.",
            "isolation",
            Severity.CRITICAL,
            NETWORK,
            critical=True,
        ),
        [CLUSTER],
        _authorized_networks,
    ),
    resource_policy(
        _meta(
            "gcp-gke-network-policy",
            "Checks that GKE clusters enforce Kubernetes NetworkPolicy (Dataplane V2 or Calico).",
            "Set datapathProvider: ADVANCED_DATAPATH.",
            "isolation",
            controls=SEGREGATION,
        ),
        [CLUSTER],
        _network_policy,
    ),
    resource_policy(
        _meta(
            "gcp-gke-release-channel",
            "Checks that GKE clusters are enrolled in a release channel so that security patches arrive.",
            "Set releaseChannel.channel: REGULAR (or RAPID, STABLE, EXTENDED).",
            severity=Severity.MEDIUM,
        ),
        [CLUSTER],
        _release_channel,
    ),
    resource_policy(
        _meta(
            "gcp-gke-monitoring",
            "Checks that GKE clusters ship system metrics to Cloud Monitoring.",
            "Set monitoringConfig.enableComponents including SYSTEM_COMPONENTS; never monitoringService: none.",
            "audit",
            Severity.MEDIUM,
            MONITORING,
        ),
        [CLUSTER],
        _monitoring,
    ),
    resource_policy(
        _meta(
            "gcp-gke-workload-logs",
            "Checks that GKE clusters ship system and workload logs to Cloud Logging.",
            "Set loggingConfig.enableComponents including SYSTEM_COMPONENTS and WORKLOADS.",
            "audit",
            Severity.MEDIUM,
            AUDIT,
        ),
        [CLUSTER],
        _workload_logs,
    ),
    resource_policy(
        _meta(
            "gcp-gke-no-static-credentials",
            "Checks that GKE clusters issue no client certificate and no basic-auth credentials.",
            "Set masterAuth.clientCertificateConfig.issueClientCertificate: false and no username/password.",
            "isolation",
            Severity.CRITICAL,
            IDENTITY,
            critical=True,
        ),
        [CLUSTER],
        _static_credentials,
    ),
    resource_policy(
        _meta(
            "gcp-gke-vpc-native",
            "Checks that GKE clusters are VPC-native (alias IPs) so that pod traffic is subject to VPC controls.",
            "Set networkingMode: VPC_NATIVE and an ipAllocationPolicy with the pod and Service ranges.",
            "isolation",
            Severity.MEDIUM,
            NETWORK,
        ),
        [CLUSTER],
        _vpc_native,
    ),
    resource_policy(
        _meta(
            "gcp-gke-security-posture",
            "Checks that GKE clusters keep security posture and workload vulnerability scanning on.",
            "Set securityPostureConfig.mode: BASIC and vulnerabilityMode: VULNERABILITY_BASIC (or stronger).",
            severity=Severity.MEDIUM,
        ),
        [CLUSTER],
        _security_posture,
    ),
    resource_policy(
        _meta(
            "gcp-gke-node-shielded-boot",
            "Checks that GKE nodes boot with secure boot and integrity monitoring.",
            "Set nodeConfig.shieldedInstanceConfig.enableSecureBoot and enableIntegrityMonitoring: true. " + GKE_FIX,
        ),
        GKE_TYPES,
        _shielded_boot,
    ),
    resource_policy(
        _meta(
            "gcp-gke-node-metadata-server",
            "Checks that GKE nodes run the GKE metadata server so that pods never see the node's credentials.",
            "Set nodeConfig.workloadMetadataConfig.mode: GKE_METADATA. " + GKE_FIX,
            "isolation",
            Severity.CRITICAL,
            IDENTITY,
            critical=True,
        ),
        GKE_TYPES,
        _metadata_server,
    ),
    resource_policy(
        _meta(
            "gcp-gke-node-legacy-metadata-disabled",
            "Checks that GKE nodes disable the legacy Compute Engine metadata endpoints.",
            'Set nodeConfig.metadata.disable-legacy-endpoints: "true". ' + GKE_FIX,
            "isolation",
            controls=IDENTITY,
        ),
        GKE_TYPES,
        _legacy_metadata,
    ),
    resource_policy(
        _meta(
            "gcp-gke-node-kubelet-readonly-port",
            "Checks that GKE nodes close the unauthenticated kubelet read-only port.",
            'Set nodeConfig.kubeletConfig.insecureKubeletReadonlyPortEnabled: "FALSE". ' + GKE_FIX,
            "isolation",
            controls=IDENTITY,
        ),
        GKE_TYPES,
        _kubelet_readonly_port,
    ),
    resource_policy(
        _meta(
            "gcp-gke-node-service-account",
            "Checks that GKE nodes run as a dedicated service account, not the Compute Engine default.",
            "Set nodeConfig.serviceAccount to the cluster's own node service account. " + GKE_FIX,
            "isolation",
            controls=IDENTITY,
        ),
        GKE_TYPES,
        _node_service_account,
    ),
    resource_policy(
        _meta(
            "gcp-gke-node-auto-repair-upgrade",
            "Checks that GKE node pools keep auto-repair and auto-upgrade on so that nodes get security patches.",
            "Set management.autoRepair and autoUpgrade: true. " + GKE_FIX,
            severity=Severity.MEDIUM,
        ),
        GKE_TYPES,
        _node_management,
    ),
    resource_policy(
        _meta(
            "gcp-gke-node-image-cos",
            "Checks that GKE nodes run Container-Optimized OS.",
            "Set nodeConfig.imageType: COS_CONTAINERD. " + GKE_FIX,
            severity=Severity.MEDIUM,
        ),
        GKE_TYPES,
        _node_image,
    ),
    resource_policy(
        _meta(
            "gcp-sql-backups",
            "Checks that Cloud SQL instances take automated backups with point-in-time recovery.",
            "Set settings.backupConfiguration.enabled and pointInTimeRecoveryEnabled: true.",
            "resilience",
            controls=BACKUP,
        ),
        [SQL],
        _sql_backups,
    ),
    resource_policy(
        _meta(
            "gcp-sql-no-world-authorized-network",
            "Checks that Cloud SQL instances never authorize 0.0.0.0/0.",
            "Remove 0.0.0.0/0 from settings.ipConfiguration.authorizedNetworks; connect over the private network.",
            "isolation",
            Severity.CRITICAL,
            NETWORK,
            critical=True,
        ),
        [SQL],
        _sql_authorized_networks,
    ),
    resource_policy(
        _meta(
            "gcp-sql-postgres-log-flags",
            "Checks that Cloud SQL PostgreSQL logs connections and disconnections and no logging flag is weakened.",
            "Set log_connections and log_disconnections to on in settings.databaseFlags (components/gcp/database.py).",
            "audit",
            Severity.MEDIUM,
            AUDIT,
        ),
        [SQL],
        _pg_flags,
    ),
    resource_policy(
        _meta(
            "gcp-sql-insights-no-client-address",
            "Checks that Cloud SQL Query Insights does not record client IP addresses.",
            "Set settings.insightsConfig.recordClientAddress: false.",
            severity=Severity.LOW,
            controls=Controls(gdpr=("Art.5(1)(c)", "Art.25"), soc2=("P4.1",), iso27001=("A.5.34", "A.8.11")),
        ),
        [SQL],
        _sql_insights_privacy,
    ),
    resource_policy(
        _meta(
            "gcp-redis-auth",
            "Checks that Memorystore Redis instances require AUTH.",
            "Set authEnabled: true; clients read the AUTH string from the instance.",
            "isolation",
            Severity.CRITICAL,
            IDENTITY,
            critical=True,
        ),
        [REDIS],
        _redis_auth,
    ),
    resource_policy(
        _meta(
            "gcp-redis-private-service-access",
            "Checks that Memorystore Redis instances connect through private service access on the tenant's network.",
            "Set connectMode: PRIVATE_SERVICE_ACCESS and authorizedNetwork to the tenant's (or the shared) VPC.",
            "isolation",
            Severity.HIGH,
            NETWORK,
            critical=True,
        ),
        [REDIS],
        _redis_network,
    ),
    resource_policy(
        _meta(
            "gcp-kms-key-hsm",
            "Checks that Cloud KMS keys keep their material in an HSM (or an external key manager).",
            "Set versionTemplate.protectionLevel: HSM in components/gcp/kms.py.",
            "encryption",
            controls=KEY_MANAGEMENT,
            config={
                "keyProtectionLevels": string_list(["HSM", "EXTERNAL", "EXTERNAL_VPC"], "Protection levels a tenant key may use.")
            },
        ),
        [CRYPTO_KEY],
        _key_protection,
    ),
    resource_policy(
        _meta(
            "gcp-kms-key-destroy-delay",
            "Checks that Cloud KMS keys wait before destroying a key version so that a mistake can be undone.",
            "Set destroyScheduledDuration to at least the minimum (2592000s, 30 days).",
            "encryption",
            Severity.MEDIUM,
            ENCRYPTION,
            config={
                "minDestroyScheduledDays": {
                    "type": "integer",
                    "minimum": 1,
                    "default": 30,
                    "description": "Shortest allowed delay before a key version is destroyed, in days.",
                }
            },
        ),
        [CRYPTO_KEY],
        _key_destroy_delay,
    ),
    resource_policy(
        _meta(
            "gcp-kms-key-grants",
            "Checks that Cloud KMS grants give only the key-use roles and never to the public.",
            "Grant roles/cloudkms.cryptoKeyEncrypterDecrypter to the service agents that need the key, nothing else.",
            "encryption",
            Severity.CRITICAL,
            KEY_MANAGEMENT,
            critical=True,
            config={
                "keyRoles": string_list(KEY_ROLES, "Roles a grant on a tenant key may give.")
            },
        ),
        [
            "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
            "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding",
            "gcp:kms/keyRingIAMMember:KeyRingIAMMember",
            "gcp:kms/keyRingIAMBinding:KeyRingIAMBinding",
        ],
        _key_grants,
    ),
    resource_policy(
        _meta(
            "gcp-iam-project-least-privilege",
            "Checks that project IAM grants give no basic or service-account impersonation role and nothing to the public.",
            "Grant predefined roles scoped to the task (components/gcp/cluster.py NODE_ROLES).",
            "isolation",
            Severity.HIGH,
            IDENTITY,
            config={
                "deniedProjectRoles": string_list(PROJECT_ROLES_DENIED, "Roles a project-level grant may never give.")
            },
        ),
        ["gcp:projects/iAMMember:IAMMember", "gcp:projects/iAMBinding:IAMBinding"],
        _project_grants,
    ),
    resource_policy(
        _meta(
            "gcp-iam-workload-identity-namespace",
            "Checks that workload identity grants bind only Kubernetes service accounts of the tenant's own namespace.",
            "Set member to serviceAccount:<project>.svc.id.goog[tenant-<id>/<name>].",
            "isolation",
            Severity.CRITICAL,
            SEGREGATION,
            critical=True,
        ),
        ["gcp:serviceaccount/iAMMember:IAMMember", "gcp:serviceaccount/iAMBinding:IAMBinding"],
        _workload_identity_binding,
    ),
    stack_policy(
        _meta(
            "gcp-logging-sink-tenant-scope",
            "Checks that the tenant's log sinks route only its own logs, and only into its own log bucket.",
            "Filter the sink on the tenant's cluster_name (silo) or namespace_name (pooled) and point it at the "
            "tenant's bucket (components/gcp/logs.py).",
            "isolation",
            Severity.CRITICAL,
            SEGREGATION,
            critical=True,
        ),
        _sink_scope,
    ),
    resource_policy(
        _meta(
            "gcp-compute-subnet-flow-logs",
            "Checks that every subnetwork records VPC flow logs.",
            "Set logConfig on the subnetwork (components/gcp/network.py).",
            "audit",
            Severity.MEDIUM,
            AUDIT,
        ),
        ["gcp:compute/subnetwork:Subnetwork"],
        _flow_logs,
    ),
]
