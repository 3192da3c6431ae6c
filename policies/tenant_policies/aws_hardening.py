"""AWS hardening beyond encryption and exposure: instance metadata, secrets, flow logs, backups, IAM, EKS access.

Every check reads the engine (camelCase) inputs; a missing property is the provider's default, and
where that default is the insecure choice the check fails. IAM and resource policies arrive as JSON
strings (``policy_document`` renders them) or, written by hand, as objects: both are read.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import ResourceValidationPolicy, Severity, StackValidationPolicy

from .base import (
    AUDIT,
    BACKUP,
    ENCRYPTION,
    INVENTORY,
    KEY_MANAGEMENT,
    NETWORK,
    SEGREGATION,
    TRANSIT,
    UNKNOWN,
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
    truthy,
)
from .encryption import customer_key

IDENTITY = Controls(gdpr=("Art.32(1)(b)",), soc2=("CC6.1", "CC6.3"), iso27001=("A.5.15", "A.5.18", "A.8.2"))
PATCHING = Controls(gdpr=("Art.32(1)(b)",), soc2=("CC7.1",), iso27001=("A.8.8",))
LAUNCH_TYPES = [
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:ec2/instance:Instance",
    "aws:ec2/launchConfiguration:LaunchConfiguration",
]


def _meta(
    name: str,
    description: str,
    remediation: str,
    controls: Controls,
    severity: Severity = Severity.HIGH,
    category: str = "isolation",
    critical: bool = False,
    config: Mapping[str, dict[str, Any]] | None = None,
) -> Meta:
    return Meta(name, description, severity, remediation, controls, category, True, dict(config or {}), critical)


def document(value: Any) -> Mapping[str, Any] | None:
    """An IAM / resource policy document from a JSON string or an object; None when unknown or unreadable."""
    if value is UNKNOWN or value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, Mapping) else None


def statements(value: Any) -> list[Mapping[str, Any]]:
    doc = document(value)
    return [s for s in as_list(get(doc, "Statement")) if isinstance(s, Mapping)] if doc is not None else []


def _allows(statement: Mapping[str, Any]) -> bool:
    return str(statement.get("Effect", "")).lower() == "allow"


def _principals(statement: Mapping[str, Any]) -> dict[str, list[str]]:
    """``Principal`` as {kind: [values]}; ``"*"`` is {"*": ["*"]}."""
    principal = statement.get("Principal")
    if isinstance(principal, str):
        return {"*": [principal]} if principal.strip() == "*" else {"AWS": [principal]}
    if isinstance(principal, Mapping):
        return {str(k): [str(v) for v in as_list(vs)] for k, vs in principal.items()}
    return {}


def _is_everyone(statement: Mapping[str, Any]) -> bool:
    return any(v.strip() == "*" for values in _principals(statement).values() for v in values) or "NotPrincipal" in statement


def _wildcard(values: Any) -> bool:
    return any(str(v).strip() == "*" for v in as_list(values))


# ------------------------------------------------------------------ EC2 instance metadata, public IPs


def _node_template(props: Mapping[str, Any]) -> bool:
    template = props.get("launchTemplate")
    return is_set(get(template, "id")) or is_set(get(template, "name"))


def _imdsv2(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if ctx.resource_type == "aws:eks/nodeGroup:NodeGroup":
        # Without a template EKS uses its own, which leaves IMDSv1 on and the hop limit at 2.
        if not _node_template(props):
            yield "EKS node group must launch from the launch template that requires IMDSv2 (launchTemplate)."
        return
    options = props.get("metadataOptions")
    if str(get(options, "httpEndpoint") or "enabled").lower() == "disabled":
        return  # no metadata service at all is stricter still
    if str(get(options, "httpTokens") or "optional").lower() != "required":
        yield "Instance metadata must require IMDSv2 session tokens (metadataOptions.httpTokens: required)."


def _hop_limit(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    options = props.get("metadataOptions")
    if str(get(options, "httpEndpoint") or "enabled").lower() == "disabled":
        return
    # Unset, the AMI decides, and EKS-optimised AMIs set 2: pods would reach the node's credentials.
    if as_int(get(options, "httpPutResponseHopLimit")) != 1:
        yield "Instance metadata must not be reachable from pods (metadataOptions.httpPutResponseHopLimit: 1)."


def _no_public_ip(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if ctx.resource_type == "aws:ec2/subnet:Subnet":
        if truthy(props.get("mapPublicIpOnLaunch")) or truthy(props.get("assignIpv6AddressOnCreation")):
            yield "Subnet must not give instances public addresses (mapPublicIpOnLaunch: false)."
        return
    if ctx.resource_type == "aws:ec2/launchTemplate:LaunchTemplate":
        interfaces = as_list(props.get("networkInterfaces"))
        if any(truthy(get(i, "associatePublicIpAddress")) for i in interfaces):
            yield "Launch template must not associate public IP addresses (networkInterfaces.associatePublicIpAddress)."
        return
    if truthy(props.get("associatePublicIpAddress")):
        yield "Instance must not have a public IP address (associatePublicIpAddress: false)."


def _node_remote_access(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    access = props.get("remoteAccess")
    if is_set(access) and not as_list(get(access, "sourceSecurityGroupIds")):
        yield "EKS node group must not open SSH to the internet (remoteAccess without sourceSecurityGroupIds)."


# ------------------------------------------------------------------ VPC: flow logs, default security group


def _refs(resource: Resource, vpc: Resource, key: str) -> bool:
    """Does ``resource`` point at ``vpc``: its ``key`` input is set (a flow log of a subnet or an ENI is not one
    of the VPC) and it depends on the VPC, or the input names the VPC's id?"""
    value = resource.props.get(key)
    return is_set(value) and (vpc.urn in resource.dependencies or value == vpc.props.get("id"))


def _flow_logs(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    vpcs = [r for r in resources if r.type == "aws:ec2/vpc:Vpc"]
    logs = [r for r in resources if r.type == "aws:ec2/flowLog:FlowLog"]
    for vpc in vpcs:
        mine = [f for f in logs if _refs(f, vpc, "vpcId")]
        complete = [
            f
            for f in mine
            if str(f.props.get("trafficType") or "").upper() == "ALL"
            and (is_set(f.props.get("logDestination")) or is_set(f.props.get("logGroupName")))
        ]
        if not complete:
            yield (
                f"VPC {vpc.name} must have a flow log of all traffic (aws:ec2/flowLog:FlowLog with its vpcId, "
                "trafficType: ALL and a logDestination).",
                vpc.urn,
            )


def _default_sg(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    groups = [r for r in resources if r.type == "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"]
    for vpc in (r for r in resources if r.type == "aws:ec2/vpc:Vpc"):
        mine = [g for g in groups if _refs(g, vpc, "vpcId")]
        if not mine or any(as_list(g.props.get("ingress")) or as_list(g.props.get("egress")) for g in mine):
            yield (
                f"VPC {vpc.name} must adopt its default security group with no rules "
                "(aws:ec2/defaultSecurityGroup:DefaultSecurityGroup without ingress or egress).",
                vpc.urn,
            )


def _world(cidr: Any) -> bool:
    """0.0.0.0/0, ::/0 and every spelling of them (``0::/0``, ``0.0.0.0/00``)."""
    text = str(cidr).strip()
    if text in {"0.0.0.0/0", "::/0", "*"}:
        return True
    try:
        return ipaddress.ip_network(text, strict=False).prefixlen == 0
    except ValueError:
        return False


def _open_egress(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    # Only data-service and node-identity groups are rendered: none of them initiates connections.
    rules = [r for r in as_list(props.get("egress")) if isinstance(r, Mapping)]
    for rule in rules:
        cidrs = [*as_list(rule.get("cidrBlocks")), *as_list(rule.get("ipv6CidrBlocks"))]
        if any(_world(c) for c in cidrs) and str(rule.get("protocol")) in {"-1", "all"}:
            yield "Security group must not allow all egress to 0.0.0.0/0 or ::/0 (protocol -1)."
            return


# ------------------------------------------------------------------ Secrets Manager, Lambda


def _secret_key(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not customer_key(props.get("kmsKeyId")):
        yield "Secrets Manager secret must be encrypted with the tenant's KMS key (kmsKeyId, not aws/secretsmanager)."


def _secret_recovery(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    days = as_int(props.get("recoveryWindowInDays"))
    if days is not None and days < 7:  # unset: 30 days; 0 deletes at once
        yield "Secrets Manager secret must keep a recovery window of at least 7 days (recoveryWindowInDays ≥ 7)."


def _lambda_env(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if is_set(props.get("environment")) and not customer_key(props.get("kmsKeyArn")):
        yield "Lambda function environment must be encrypted with the tenant's KMS key (kmsKeyArn)."


def _lambda_permission(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    principal = str(props.get("principal") or "")
    if principal.strip() == "*" or (
        principal.endswith(".amazonaws.com") and not (is_set(props.get("sourceArn")) or is_set(props.get("sourceAccount")))
    ):
        yield "Lambda permission must name its caller and scope it to one source (principal not *, sourceArn set)."


# ------------------------------------------------------------------ EKS


CONTROL_PLANE_LOGS = ("api", "authenticator", "controllerManager", "scheduler")  # audit: aws-eks-audit-logs


def _eks_logs(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    enabled = {str(t) for t in as_list(props.get("enabledClusterLogTypes"))}
    missing = [t for t in CONTROL_PLANE_LOGS if t not in enabled]
    if missing:
        yield f"EKS cluster must ship every control-plane log type (enabledClusterLogTypes lacks {', '.join(missing)})."


def _eks_auth_mode(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    # Without it the provider keeps the aws-auth ConfigMap, which anyone who can edit kube-system can rewrite.
    if str(get(props, "accessConfig", "authenticationMode") or "CONFIG_MAP") != "API":
        yield "EKS cluster must authenticate through access entries only (accessConfig.authenticationMode: API)."


ADMIN_GROUPS = {"system:masters", "cluster-admin", "system:nodes"}


def _eks_access(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if ctx.resource_type == "aws:eks/accessEntry:AccessEntry":
        groups = {str(g) for g in as_list(props.get("kubernetesGroups"))}
        if str(props.get("type") or "STANDARD") != "STANDARD" or groups & ADMIN_GROUPS:
            yield "EKS access entry must be STANDARD and map to the tenant's own group, never system:masters."
        return
    policy = str(props.get("policyArn") or "")
    scope = str(get(props, "accessScope", "type") or "")
    if policy.endswith("/AmazonEKSClusterAdminPolicy") or (policy.endswith("/AmazonEKSAdminPolicy") and scope == "cluster"):
        yield "EKS access policy association must not grant cluster administration (AmazonEKSClusterAdminPolicy)."


def _vpc_cni(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if str(props.get("addonName") or "") != "vpc-cni":
        return
    config = document(props.get("configurationValues"))
    if config is None and props.get("configurationValues") is UNKNOWN:
        return
    if not truthy(get(config, "enableNetworkPolicy")):
        yield 'VPC CNI add-on must enforce NetworkPolicies (configurationValues.enableNetworkPolicy: "true").'


# ------------------------------------------------------------------ RDS


def _rds_backups(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    days = as_int(props.get("backupRetentionPeriod"))
    if days is None or days < 1:
        yield "RDS instance must keep automated backups (backupRetentionPeriod ≥ 1)."


def _rds_final_snapshot(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    # Both default to the destructive choice: no final snapshot, automated backups deleted with the instance.
    skip = props.get("skipFinalSnapshot")
    keep = props.get("deleteAutomatedBackups")
    if skip is None or truthy(skip) or keep is None or truthy(keep):
        yield "RDS instance must survive its deletion (skipFinalSnapshot: false, deleteAutomatedBackups: false)."


def _rds_iam_auth(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not truthy(props.get("iamDatabaseAuthenticationEnabled")):
        yield "RDS instance must enable IAM database authentication (iamDatabaseAuthenticationEnabled: true)."


def _rds_copy_tags(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not truthy(props.get("copyTagsToSnapshot")):
        yield "RDS instance must copy its tenant tags to snapshots (copyTagsToSnapshot: true)."


def _rds_master_password(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not truthy(props.get("manageMasterUserPassword")) or is_set(props.get("password")):
        yield (
            "RDS master password must be generated and kept by RDS in Secrets Manager "
            "(manageMasterUserPassword: true, no password)."
        )


def _rds_master_secret(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if truthy(props.get("manageMasterUserPassword")) and not customer_key(props.get("masterUserSecretKmsKeyId")):
        yield "RDS master password secret must be encrypted with the tenant's KMS key (masterUserSecretKmsKeyId)."


def _rds_logs(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if "postgresql" not in [str(x) for x in as_list(props.get("enabledCloudwatchLogsExports"))] and str(
        props.get("engine") or "postgres"
    ).startswith("postgres"):
        yield "RDS instance must export its engine log (enabledCloudwatchLogsExports includes postgresql)."


def _minor_upgrades(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    value = props.get("autoMinorVersionUpgrade")
    if value is not None and not truthy(value):
        noun = "RDS instance" if ctx.resource_type == "aws:rds/instance:Instance" else "ElastiCache replication group"
        yield f"{noun} must take minor engine versions automatically (autoMinorVersionUpgrade: true)."


# ------------------------------------------------------------------ ElastiCache


def _elasticache_auth(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not (is_set(props.get("authToken")) or as_list(props.get("userGroupIds"))):
        yield "ElastiCache replication group must require authentication (authToken or userGroupIds)."


# ------------------------------------------------------------------ KMS


def _key_policy(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    for statement in statements(props.get("policy")):
        if _allows(statement) and _is_everyone(statement) and not statement.get("Condition"):
            yield 'KMS key policy must not allow Principal "*" without a condition.'
            return


def _rotation_period(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    limit = int(ctx.setting("maxRotationDays", 365))
    days = as_int(props.get("rotationPeriodInDays"))  # unset: 365, the yearly rotation AWS defaults to
    if days is not None and days > limit:
        yield f"KMS key must rotate at least every {limit} days (rotationPeriodInDays ≤ {limit})."


def _deletion_window(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    minimum = int(ctx.setting("minDeletionWindowDays", 30))
    days = as_int(props.get("deletionWindowInDays"))
    if days is not None and days < minimum:
        yield f"KMS key must wait at least {minimum} days before deletion (deletionWindowInDays ≥ {minimum})."


# ------------------------------------------------------------------ IAM

ADMIN_POLICIES = ("/AdministratorAccess", "/PowerUserAccess", "/IAMFullAccess")


def _iam_admin(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    arns = [props.get("policyArn"), *as_list(props.get("managedPolicyArns"))]
    for arn in (str(a) for a in arns if isinstance(a, str)):
        if arn.endswith(ADMIN_POLICIES):
            yield f"IAM must not attach an administrator policy ({arn.rsplit('/', 1)[-1]})."
            return
    docs = [props.get("policy"), *(get(p, "policy") for p in as_list(props.get("inlinePolicies")))]
    for doc in docs:
        for statement in statements(doc):
            actions = [str(a).strip() for a in as_list(statement.get("Action"))]
            # "*", "*:*" or a whole service ("iam:*", "kms:*") on every resource is administration of it.
            wide = any(a == "*" or a.endswith(":*") for a in actions) or "NotAction" in statement
            if _allows(statement) and wide and (_wildcard(statement.get("Resource")) or "NotResource" in statement):
                yield 'IAM policy must not allow Action "*" or "<service>:*" on Resource "*".'
                return


def _iam_trust(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    for statement in statements(props.get("assumeRolePolicy")):
        if not _allows(statement):
            continue
        condition = statement.get("Condition") if isinstance(statement.get("Condition"), Mapping) else {}
        principals = _principals(statement)
        if _is_everyone(statement):
            yield 'IAM role trust policy must not let Principal "*" assume the role.'
            return
        if principals.get("Federated"):
            subjects = [
                v
                for op in ("StringEquals", "StringLike")
                for key, vals in (condition.get(op) or {}).items()
                if str(key).endswith(":sub")
                for v in as_list(vals)
            ]
            if not subjects or any("*" in str(s) or "?" in str(s) for s in subjects):
                yield "IAM role trusted by an OIDC provider must be limited to one subject (Condition on <issuer>:sub)."
                return
        if principals.get("AWS"):
            mfa = str(get(condition, "Bool", "aws:MultiFactorAuthPresent") or "").lower() == "true"
            external = is_set(get(condition, "StringEquals", "sts:ExternalId"))
            if not (mfa or external):
                yield "IAM role trusted by AWS principals must require MFA or an external id (Condition)."
                return


def _session_duration(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    limit = int(ctx.setting("maxSessionSeconds", 3600))
    seconds = as_int(props.get("maxSessionDuration"))
    if seconds is not None and seconds > limit:
        yield f"IAM role sessions must last at most {limit} seconds (maxSessionDuration ≤ {limit})."


# ------------------------------------------------------------------ SNS


def _topic_transport(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    denies = [
        s
        for s in statements(props.get("policy"))
        if str(s.get("Effect", "")).lower() == "deny"
        and str(get(s, "Condition", "Bool", "aws:SecureTransport") or "").lower() == "false"
    ]
    if not denies:
        yield "SNS topic policy must deny requests without TLS (Deny on aws:SecureTransport false)."


def _topic_public(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    for statement in statements(props.get("policy")):
        if _allows(statement) and _is_everyone(statement) and not statement.get("Condition"):
            yield 'SNS topic policy must not allow Principal "*" without a condition.'
            return


def _subscription(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if str(props.get("protocol") or "").lower() == "http":
        yield "SNS subscription must not deliver over plain HTTP (protocol: https)."


# ------------------------------------------------------------------ the policies

IMDS = "Require IMDSv2 with a hop limit of 1 in the node launch template (metadataOptions)."
PRIVATE = "Keep nodes in private subnets without public addresses; reach the internet through NAT only."
IAM_FIX = "Grant the least privilege the component needs; scope Resource to the tenant's own ARNs."
TRUST_FIX = "Trust exactly the service, service account (IRSA sub) or MFA-authenticated principal that needs the role."
RDS_FIX = "Restore the setting the database component hard-codes."
KEY_FIX = "Use the tenant's customer-managed KMS key (the key component's ARN), never an AWS-managed alias."
EKS_FIX = "Restore the setting the cluster component hard-codes."
SNS_FIX = "Restore the topic policy and https subscriptions the alerting component renders."

POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    resource_policy(
        _meta(
            "aws-ec2-imdsv2-required",
            "Checks that launch templates and instances require IMDSv2 session tokens.",
            IMDS,
            NETWORK,
            Severity.HIGH,
            critical=True,
        ),
        [*LAUNCH_TYPES, "aws:eks/nodeGroup:NodeGroup"],
        _imdsv2,
    ),
    resource_policy(
        _meta(
            "aws-ec2-metadata-hop-limit",
            "Checks that instance metadata answers the node only (hop limit 1), never its pods.",
            IMDS,
            NETWORK,
            critical=True,
        ),
        LAUNCH_TYPES,
        _hop_limit,
    ),
    resource_policy(
        _meta(
            "aws-ec2-no-public-ip",
            "Checks that subnets, launch templates and instances give no instance a public address.",
            PRIVATE,
            NETWORK,
            critical=True,
        ),
        ["aws:ec2/subnet:Subnet", *LAUNCH_TYPES],
        _no_public_ip,
    ),
    resource_policy(
        _meta(
            "aws-vpc-no-open-egress",
            "Checks that security groups do not allow every protocol to the internet.",
            "Data services initiate no connections: render egress: [] or a scoped rule.",
            NETWORK,
            Severity.MEDIUM,
        ),
        ["aws:ec2/securityGroup:SecurityGroup"],
        _open_egress,
    ),
    resource_policy(
        _meta(
            "aws-eks-node-group-no-remote-access",
            "Checks that EKS node groups open no SSH access from anywhere.",
            "Leave remoteAccess unset (nodes are reached through SSM), or restrict it to sourceSecurityGroupIds.",
            NETWORK,
            critical=True,
        ),
        ["aws:eks/nodeGroup:NodeGroup"],
        _node_remote_access,
    ),
    stack_policy(
        _meta(
            "aws-vpc-flow-logs",
            "Checks that every VPC has a flow log of all traffic.",
            "Render an aws:ec2/flowLog:FlowLog with trafficType ALL for the VPC (the network component does).",
            AUDIT,
            category="audit",
        ),
        _flow_logs,
    ),
    stack_policy(
        _meta(
            "aws-vpc-default-security-group-closed",
            "Checks that every VPC's default security group is adopted and stripped of all rules.",
            "Adopt the default security group with aws:ec2/defaultSecurityGroup:DefaultSecurityGroup and no rules.",
            NETWORK,
            critical=True,
        ),
        _default_sg,
    ),
    resource_policy(
        _meta(
            "aws-secretsmanager-secret-encryption",
            "Checks that Secrets Manager secrets are encrypted with the tenant's KMS key.",
            KEY_FIX,
            ENCRYPTION,
            Severity.HIGH,
            "encryption",
            critical=True,
        ),
        ["aws:secretsmanager/secret:Secret"],
        _secret_key,
    ),
    resource_policy(
        _meta(
            "aws-secretsmanager-recovery-window",
            "Checks that deleted Secrets Manager secrets stay recoverable for at least 7 days.",
            "Keep recoveryWindowInDays at 7 or more (the cache component sets 7).",
            BACKUP,
            Severity.MEDIUM,
            "resilience",
        ),
        ["aws:secretsmanager/secret:Secret"],
        _secret_recovery,
    ),
    resource_policy(
        _meta(
            "aws-lambda-environment-encryption",
            "Checks that Lambda environment variables are encrypted with the tenant's KMS key.",
            KEY_FIX,
            ENCRYPTION,
            Severity.HIGH,
            "encryption",
            critical=True,
        ),
        ["aws:lambda/function:Function"],
        _lambda_env,
    ),
    resource_policy(
        _meta(
            "aws-lambda-permission-source-scoped",
            "Checks that Lambda invoke permissions name one caller and one source.",
            "Grant lambda:InvokeFunction to the service principal with sourceArn set to the tenant's topic.",
            SEGREGATION,
            critical=True,
        ),
        ["aws:lambda/permission:Permission"],
        _lambda_permission,
    ),
    resource_policy(
        _meta(
            "aws-eks-control-plane-logs",
            "Checks that EKS clusters ship every control-plane log type besides audit.",
            EKS_FIX,
            AUDIT,
            Severity.MEDIUM,
            "audit",
        ),
        ["aws:eks/cluster:Cluster"],
        _eks_logs,
    ),
    resource_policy(
        _meta(
            "aws-eks-api-authentication",
            "Checks that EKS clusters authenticate through access entries only, not the aws-auth ConfigMap.",
            EKS_FIX,
            IDENTITY,
        ),
        ["aws:eks/cluster:Cluster"],
        _eks_auth_mode,
    ),
    resource_policy(
        _meta(
            "aws-eks-access-no-cluster-admin",
            "Checks that EKS access entries and access policies never grant cluster administration.",
            "Map the tenant's role to its own Kubernetes group; its namespace Role decides what it may do.",
            SEGREGATION,
            Severity.CRITICAL,
            critical=True,
        ),
        ["aws:eks/accessEntry:AccessEntry", "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"],
        _eks_access,
    ),
    resource_policy(
        _meta(
            "aws-eks-network-policy-enforcement",
            "Checks that the VPC CNI add-on enforces Kubernetes NetworkPolicies.",
            EKS_FIX,
            SEGREGATION,
            critical=True,
        ),
        ["aws:eks/addon:Addon"],
        _vpc_cni,
    ),
    resource_policy(
        _meta(
            "aws-rds-automated-backups",
            "Checks that RDS instances keep automated backups on every tier.",
            "Set backupRetentionPeriod to at least 1 (database.backup_retention_days in the tenant file).",
            BACKUP,
            category="resilience",
        ),
        ["aws:rds/instance:Instance"],
        _rds_backups,
    ),
    resource_policy(
        _meta(
            "aws-rds-final-snapshot",
            "Checks that deleting an RDS instance leaves a final snapshot and its automated backups.",
            RDS_FIX,
            BACKUP,
            Severity.MEDIUM,
            "resilience",
        ),
        ["aws:rds/instance:Instance"],
        _rds_final_snapshot,
    ),
    resource_policy(
        _meta("aws-rds-iam-authentication", "Checks that RDS instances accept IAM database authentication.", RDS_FIX, IDENTITY,
              Severity.MEDIUM),
        ["aws:rds/instance:Instance"],
        _rds_iam_auth,
    ),
    resource_policy(
        _meta(
            "aws-rds-copy-tags-to-snapshot",
            "Checks that RDS snapshots carry the instance's tenant tags.",
            RDS_FIX,
            INVENTORY,
            Severity.MEDIUM,
            critical=True,
        ),
        ["aws:rds/instance:Instance"],
        _rds_copy_tags,
    ),
    resource_policy(
        _meta(
            "aws-rds-managed-master-password",
            "Checks that RDS master passwords are generated and kept by RDS, never written in the program.",
            RDS_FIX,
            IDENTITY,
        ),
        ["aws:rds/instance:Instance"],
        _rds_master_password,
    ),
    resource_policy(
        _meta(
            "aws-rds-master-secret-encryption",
            "Checks that the RDS master password secret is encrypted with the tenant's KMS key.",
            KEY_FIX,
            ENCRYPTION,
            category="encryption",
            critical=True,
        ),
        ["aws:rds/instance:Instance"],
        _rds_master_secret,
    ),
    resource_policy(
        _meta("aws-rds-log-exports", "Checks that RDS PostgreSQL exports its engine log to CloudWatch.", RDS_FIX, AUDIT,
              Severity.MEDIUM, "audit"),
        ["aws:rds/instance:Instance"],
        _rds_logs,
    ),
    resource_policy(
        _meta(
            "aws-rds-auto-minor-version-upgrade",
            "Checks that RDS and ElastiCache take minor engine versions (security patches) automatically.",
            RDS_FIX,
            PATCHING,
            Severity.MEDIUM,
            "resilience",
        ),
        ["aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup"],
        _minor_upgrades,
    ),
    resource_policy(
        _meta(
            "aws-elasticache-auth",
            "Checks that ElastiCache replication groups require authentication.",
            "Set authToken (the cache component generates one) or userGroupIds.",
            IDENTITY,
            critical=True,
        ),
        ["aws:elasticache/replicationGroup:ReplicationGroup"],
        _elasticache_auth,
    ),
    resource_policy(
        _meta(
            "aws-kms-key-policy-no-public",
            'Checks that KMS key policies never allow Principal "*" without a condition.',
            "Grant the account root and named service principals only, each with its condition.",
            KEY_MANAGEMENT,
            Severity.CRITICAL,
            "encryption",
            critical=True,
        ),
        ["aws:kms/key:Key"],
        _key_policy,
    ),
    resource_policy(
        _meta(
            "aws-kms-key-rotation-period",
            "Checks that KMS keys rotate at least yearly.",
            "Keep rotationPeriodInDays at 365 or less (the key component sets 365).",
            KEY_MANAGEMENT,
            Severity.MEDIUM,
            "encryption",
            config={
                "maxRotationDays": {
                    "type": "integer",
                    "minimum": 90,
                    "default": 365,
                    "description": "Longest allowed KMS key rotation period in days.",
                }
            },
        ),
        ["aws:kms/key:Key"],
        _rotation_period,
    ),
    resource_policy(
        _meta(
            "aws-kms-key-deletion-window",
            "Checks that KMS keys wait the longest period before deletion.",
            "Set deletionWindowInDays to 30: a deleted key makes every backup unreadable.",
            KEY_MANAGEMENT,
            Severity.MEDIUM,
            "encryption",
            config={
                "minDeletionWindowDays": {
                    "type": "integer",
                    "minimum": 7,
                    "maximum": 30,
                    "default": 30,
                    "description": "Shortest allowed KMS key deletion window in days.",
                }
            },
        ),
        ["aws:kms/key:Key"],
        _deletion_window,
    ),
    resource_policy(
        _meta(
            "aws-iam-no-admin-privileges",
            'Checks that IAM policies never allow Action "*" on Resource "*" nor attach administrator policies.',
            IAM_FIX,
            IDENTITY,
            Severity.CRITICAL,
            critical=True,
        ),
        [
            "aws:iam/rolePolicy:RolePolicy",
            "aws:iam/policy:Policy",
            "aws:iam/userPolicy:UserPolicy",
            "aws:iam/groupPolicy:GroupPolicy",
            "aws:iam/role:Role",
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "aws:iam/userPolicyAttachment:UserPolicyAttachment",
            "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
            "aws:iam/policyAttachment:PolicyAttachment",
        ],
        _iam_admin,
    ),
    resource_policy(
        _meta(
            "aws-iam-role-trust-limited",
            "Checks that IAM roles trust only a service, one OIDC subject, or MFA-authenticated principals.",
            TRUST_FIX,
            IDENTITY,
            Severity.CRITICAL,
            critical=True,
        ),
        ["aws:iam/role:Role"],
        _iam_trust,
    ),
    resource_policy(
        _meta(
            "aws-iam-role-session-duration",
            "Checks that IAM role sessions last at most an hour.",
            "Keep maxSessionDuration at 3600 seconds or less.",
            IDENTITY,
            Severity.MEDIUM,
            config={
                "maxSessionSeconds": {
                    "type": "integer",
                    "minimum": 900,
                    "default": 3600,
                    "description": "Longest allowed IAM role session in seconds.",
                }
            },
        ),
        ["aws:iam/role:Role"],
        _session_duration,
    ),
    resource_policy(
        _meta("aws-sns-topic-secure-transport", "Checks that SNS topic policies deny requests without TLS.", SNS_FIX, TRANSIT,
              Severity.MEDIUM, "transit"),
        ["aws:sns/topicPolicy:TopicPolicy"],
        _topic_transport,
    ),
    resource_policy(
        _meta(
            "aws-sns-topic-policy-no-public",
            'Checks that SNS topic policies never allow Principal "*" without a condition.',
            SNS_FIX,
            NETWORK,
            critical=True,
        ),
        ["aws:sns/topicPolicy:TopicPolicy", "aws:sns/topic:Topic"],
        _topic_public,
    ),
    resource_policy(
        _meta("aws-sns-subscription-https", "Checks that SNS subscriptions never deliver over plain HTTP.", SNS_FIX, TRANSIT,
              Severity.MEDIUM, "transit"),
        ["aws:sns/topicSubscription:TopicSubscription"],
        _subscription,
    ),
]
