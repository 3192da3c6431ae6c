"""Stand-ins for what an offline plan cannot know, each visibly marked as a placeholder.

``plan`` must work on a tenant file alone: missing alert targets and the shared
cluster's outputs render as these values, with a warning, never as an error.
"""

from __future__ import annotations

MARK = "placeholder"
EMAIL = f"{MARK}@example.invalid"  # .invalid is reserved (RFC 2606): can never be delivered


def url(key: str) -> str:
    return f"https://{MARK}.invalid/tenant-platform/{key}"


# Private ranges a shared cluster's network uses, per cloud (the placeholder shared stack's values).
_SHARED_CIDR = {"aws": "10.100.0.0/16", "azure": "10.101.0.0/16", "gcp": "10.102.0.0/16"}


def shared_cluster_outputs(stack_ref_name: str) -> dict[str, object]:
    """What a shared cluster stack exports (see each cloud's ``build_shared_cluster``), as placeholders."""
    stack = stack_ref_name.rsplit("/", 1)[-1]
    parts = stack.split("-", 2)  # shared-<cloud>-<region>
    cloud = parts[1] if len(parts) == 3 else "aws"
    region = parts[2] if len(parts) == 3 else "eu-west-1"
    cidr = _SHARED_CIDR.get(cloud, "10.100.0.0/16")
    prefix = cidr.rsplit(".", 2)[0]
    return {
        "cloud": cloud,
        "region": region,
        "networkId": f"{MARK}-{stack}-network",
        "networkCidr": cidr,
        "privateSubnetIds": [f"{MARK}-{stack}-subnet-{i}" for i in range(3)],
        "privateSubnetCidrs": [f"{prefix}.{i * 16}.0/20" for i in range(3)],
        "databaseSubnetId": f"{MARK}-{stack}-db-subnet",
        "privateEndpointSubnetId": f"{MARK}-{stack}-endpoint-subnet",
        "clusterName": f"{MARK}-{stack}",
        "clusterEndpoint": f"https://{MARK}.invalid/{stack}",
        "clusterCertificateAuthority": "cGxhY2Vob2xkZXI=",
        "clusterSecurityGroupId": f"{MARK}-{stack}-cluster-sg",
        "nodeSecurityGroupId": f"{MARK}-{stack}-node-sg",
        "oidcProviderArn": f"arn:aws:iam::123456789012:oidc-provider/{MARK}.invalid/{stack}",
        "oidcIssuerUrl": f"https://{MARK}.invalid/{stack}/oidc",
        "kubeconfig": f"# {MARK} kubeconfig for {stack}",
        "logWorkspaceId": f"{MARK}-{stack}-logs",
        # Only the shared VNet has the static-address subnets of pooled tenants' private endpoints.
        **(
            {
                "dataSubnetId": f"{MARK}-{stack}-data-subnet",  # database and cache private endpoints
                "storageSubnetId": f"{MARK}-{stack}-storage-subnet",  # blob private endpoints
            }
            if cloud == "azure"
            else {}
        ),
    }
