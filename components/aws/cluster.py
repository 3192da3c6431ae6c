"""EKS: private control plane, secrets envelope encryption, every log type, IRSA, API access entries."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.aws.common import Account, child, managed_policy, physical_name, policy_document, service_trust
from components.retention import cloudwatch_days

# Every control-plane log type, audit included: the record of who did what inside the cluster.
CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
# Log groups the CloudWatch observability add-on writes; pre-created so they are encrypted and expire.
CONTAINER_INSIGHTS_LOGS = ["application", "dataplane", "host", "performance"]
CLOUDWATCH_AGENT = ("amazon-cloudwatch", "cloudwatch-agent")  # namespace, service account of the add-on


def issuer_host(url: str) -> str:
    """``https://oidc.eks.../id/X`` → ``oidc.eks.../id/X``, the prefix of IRSA condition keys."""
    return url.removeprefix("https://")


def _irsa_trust(args: list[Any]) -> str:
    provider_arn, issuer_url, namespace, service_account = args
    host = issuer_host(issuer_url)
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    # Exactly one service account of one namespace, and only tokens minted for STS.
                    "Condition": {
                        "StringEquals": {
                            f"{host}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                            f"{host}:aud": "sts.amazonaws.com",
                        }
                    },
                }
            ],
        }
    )


def irsa_role(
    name: str,
    role_name: str,
    oidc_provider_arn: pulumi.Input[str],
    oidc_issuer_url: pulumi.Input[str],
    namespace: str,
    service_account: str,
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> aws.iam.Role:
    """An IAM role only the given Kubernetes service account can assume (IRSA)."""
    trust = pulumi.Output.all(oidc_provider_arn, oidc_issuer_url, namespace, service_account).apply(_irsa_trust)
    return aws.iam.Role(name, name=role_name, assume_role_policy=trust, tags=tags, opts=opts)


def kubeconfig_json(args: list[Any]) -> str:
    """Kubeconfig with short-lived tokens from ``aws eks get-token``: no static credential is stored."""
    cluster_name, endpoint, ca_data, region = args
    user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "aws",
            "args": ["eks", "get-token", "--cluster-name", cluster_name, "--region", region, "--output", "json"],
            "interactiveMode": "Never",
        }
    }
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": cluster_name, "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}],
            "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
            "current-context": cluster_name,
            "users": [{"name": cluster_name, "user": user}],
        }
    )


def _ca_data(authority: Any) -> str:
    return str(authority.data if hasattr(authority, "data") else authority["data"])


def _issuer(identities: Any) -> str:
    first = identities[0]
    oidcs = first.oidcs if hasattr(first, "oidcs") else first["oidcs"]
    return str(oidcs[0].issuer if hasattr(oidcs[0], "issuer") else oidcs[0]["issuer"])


def _cluster_sg(vpc_config: Any) -> str:
    value = (
        vpc_config.cluster_security_group_id
        if hasattr(vpc_config, "cluster_security_group_id")
        else vpc_config["clusterSecurityGroupId"]
    )
    return str(value)


def kube_provider(name: str, kubeconfig: pulumi.Input[str], parent: pulumi.Resource) -> k8s.Provider:
    return k8s.Provider(
        name,
        kubeconfig=pulumi.Output.secret(kubeconfig),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def cni_configuration(pod_eni: bool) -> dict[str, Any]:
    """The vpc-cni add-on's configuration values."""
    values: dict[str, Any] = {"enableNetworkPolicy": "true"}
    if pod_eni:
        # Pod ENI mode: SecurityGroupPolicies give pods their own security group; "standard" enforcing mode keeps
        # the NetworkPolicies and the pod's security group both in force.
        values["env"] = {"ENABLE_POD_ENI": "true", "POD_SECURITY_GROUP_ENFORCING_MODE": "standard"}
    return values


class EksClusterArgs(TypedDict):
    provider: aws.Provider
    account: Account
    cluster_name: str
    kubernetes_version: str
    subnet_ids: list[pulumi.Output[str]]
    key_arn: pulumi.Input[str]
    log_retention: timedelta
    tags: dict[str, str]
    # The shared cluster: security groups for pods (pod ENI mode, the VPC resource controller), so each pooled
    # tenant's pods carry their own security group. A silo cluster is its tenant's alone and needs neither.
    pod_eni: NotRequired[bool]


class EksCluster(pulumi.ComponentResource):
    name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    certificate_authority: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    oidc_issuer_url: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    control_plane_log_group: pulumi.Output[str]
    cloudwatch_agent_role_arn: pulumi.Output[str]
    cni_addon: aws.eks.Addon

    def __init__(self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:aws:EksCluster", name, None, opts)
        provider, acct, tags = args["provider"], args["account"], args["tags"]
        cluster_name = args["cluster_name"]
        retention = cloudwatch_days(args["log_retention"])

        role = aws.iam.Role(
            f"{name}-role",
            name=physical_name(cluster_name, "eks-cluster", 64),
            assume_role_policy=service_trust("eks.amazonaws.com"),
            tags=tags,
            opts=child(self, provider),
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-role-cluster-policy",
            role=role.name,
            policy_arn=managed_policy(acct.partition, "AmazonEKSClusterPolicy"),
            opts=child(self, provider),
        )
        pod_eni = args.get("pod_eni", False)
        ready: list[pulumi.Resource] = [attachment]
        if pod_eni:
            # Security groups for pods: the VPC resource controller attaches branch ENIs on the cluster's behalf.
            ready.append(aws.iam.RolePolicyAttachment(
                f"{name}-role-vpc-resource-controller",
                role=role.name,
                policy_arn=managed_policy(acct.partition, "AmazonEKSVPCResourceController"),
                opts=child(self, provider),
            ))
        kms_use = aws.iam.RolePolicy(
            f"{name}-role-kms",
            role=role.id,
            # Envelope encryption of Secrets: the control plane uses the tenant key, and nothing else.
            policy=policy_document(
                [
                    {
                        "Effect": "Allow",
                        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                        "Resource": args["key_arn"],
                    }
                ]
            ),
            opts=child(self, provider),
        )
        # EKS writes to exactly this name; creating it first makes it KMS-encrypted and bounded in time.
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-control-plane-logs",
            name=f"/aws/eks/{cluster_name}/cluster",
            retention_in_days=retention,
            kms_key_id=args["key_arn"],
            tags=tags,
            opts=child(self, provider),
        )
        for kind in CONTAINER_INSIGHTS_LOGS:
            aws.cloudwatch.LogGroup(
                f"{name}-insights-{kind}-logs",
                name=f"/aws/containerinsights/{cluster_name}/{kind}",
                retention_in_days=retention,
                kms_key_id=args["key_arn"],
                tags=tags,
                opts=child(self, provider),
            )

        cluster = aws.eks.Cluster(
            f"{name}-eks",
            name=cluster_name,
            version=args["kubernetes_version"],
            role_arn=role.arn,
            vpc_config={
                "subnet_ids": args["subnet_ids"],
                # Private API endpoint only: the control plane is reachable from inside the VPC (and
                # peered/VPN networks where deployments run), never from the internet.
                "endpoint_private_access": True,
                "endpoint_public_access": False,
            },
            # Kubernetes Secrets are envelope-encrypted with the tenant's key.
            encryption_config={"provider": {"key_arn": args["key_arn"]}, "resources": ["secrets"]},
            enabled_cluster_log_types=CONTROL_PLANE_LOGS,
            access_config={
                # Access entries only (no aws-auth ConfigMap): access is IAM API state, auditable in CloudTrail.
                "authentication_mode": "API",
                # The deploying identity administers the cluster it creates; tenants get scoped entries.
                "bootstrap_cluster_creator_admin_permissions": True,
            },
            tags=tags,
            opts=child(self, provider, depends_on=[*ready, kms_use, log_group]),
        )
        issuer = cluster.identities.apply(_issuer)
        oidc = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc",
            url=issuer,
            client_id_lists=["sts.amazonaws.com"],
            tags=tags,
            opts=child(self, provider),
        )

        # The VPC CNI gets its own IRSA role: nodes themselves hold no network-admin permissions.
        cni_role = irsa_role(
            f"{name}-cni-role", physical_name(cluster_name, "vpc-cni", 64), oidc.arn, issuer, "kube-system",
            "aws-node", tags, child(self, provider),
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-cni-role-policy",
            role=cni_role.name,
            policy_arn=managed_policy(acct.partition, "AmazonEKS_CNI_Policy"),
            opts=child(self, provider),
        )
        self.cni_addon = aws.eks.Addon(
            f"{name}-vpc-cni",
            cluster_name=cluster.name,
            addon_name="vpc-cni",
            service_account_role_arn=cni_role.arn,
            # NetworkPolicy enforcement: without it the tenancy's default-deny policies are inert.
            configuration_values=json.dumps(cni_configuration(pod_eni)),
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            tags=tags,
            opts=child(self, provider),
        )
        agent_role = irsa_role(
            f"{name}-cloudwatch-agent-role", physical_name(cluster_name, "cw-agent", 64), oidc.arn, issuer,
            CLOUDWATCH_AGENT[0], CLOUDWATCH_AGENT[1], tags, child(self, provider),
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-cloudwatch-agent-role-policy",
            role=agent_role.name,
            policy_arn=managed_policy(acct.partition, "CloudWatchAgentServerPolicy"),
            opts=child(self, provider),
        )

        self.name = cluster.name
        self.endpoint = cluster.endpoint
        self.certificate_authority = cluster.certificate_authority.apply(_ca_data)
        self.security_group_id = cluster.vpc_config.apply(_cluster_sg)
        self.oidc_provider_arn = oidc.arn
        self.oidc_issuer_url = issuer
        self.control_plane_log_group = log_group.name
        self.cloudwatch_agent_role_arn = agent_role.arn
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(cluster.name, cluster.endpoint, self.certificate_authority, acct.region).apply(
                kubeconfig_json
            )
        )
        self.register_outputs(
            {
                "name": self.name,
                "endpoint": self.endpoint,
                "securityGroupId": self.security_group_id,
                "oidcProviderArn": self.oidc_provider_arn,
                "kubeconfig": self.kubeconfig,
            }
        )


class TenantAccessArgs(TypedDict):
    provider: aws.Provider
    account: Account
    base_name: str
    cluster_name: pulumi.Input[str]
    kubernetes_group: str
    tags: dict[str, str]


class TenantAccess(pulumi.ComponentResource):
    """The tenant's developer IAM role, mapped by an access entry to its Kubernetes group (never admin)."""

    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: TenantAccessArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:aws:TenantAccess", name, None, opts)
        provider, acct, tags = args["provider"], args["account"], args["tags"]
        root = pulumi.Output.concat("arn:", acct.partition, ":iam::", acct.id, ":root")
        cluster_arn = pulumi.Output.concat(
            "arn:", acct.partition, ":eks:", acct.region, ":", acct.id, ":cluster/", args["cluster_name"]
        )
        role = aws.iam.Role(
            f"{name}-developers",
            name=physical_name(args["base_name"], "developers", 64),
            # Assumable by this account's principals that IAM allows to, and only with MFA.
            assume_role_policy=policy_document(
                [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": root},
                        "Action": "sts:AssumeRole",
                        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                    }
                ]
            ),
            max_session_duration=3600,
            tags=tags,
            opts=child(self, provider),
        )
        aws.iam.RolePolicy(
            f"{name}-developers-describe",
            role=role.id,
            # Enough to build a kubeconfig for this one cluster; everything else is Kubernetes RBAC.
            policy=policy_document(
                [{"Effect": "Allow", "Action": "eks:DescribeCluster", "Resource": cluster_arn}]
            ),
            opts=child(self, provider),
        )
        aws.eks.AccessEntry(
            f"{name}-access-entry",
            cluster_name=args["cluster_name"],
            principal_arn=role.arn,
            type="STANDARD",
            # A plain group: the namespace Role/RoleBinding decides what it may do; no access policy grants more.
            kubernetes_groups=[args["kubernetes_group"]],
            tags=tags,
            opts=child(self, provider),
        )
        self.role_arn = role.arn
        self.register_outputs({"roleArn": self.role_arn})
