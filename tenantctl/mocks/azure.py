"""pulumi-azure-native under mocks: ARM ids, vault and key URIs, AKS and Redis endpoints and identities, like Azure returns."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
TENANT = "11111111-1111-1111-1111-111111111111"
OBJECT = "22222222-2222-2222-2222-222222222222"

# type token → (ARM provider namespace/type, input holding the physical name)
_ARM: dict[str, tuple[str, str]] = {
    "azure-native:resources:ResourceGroup": ("", "resourceGroupName"),
    "azure-native:network:VirtualNetwork": ("Microsoft.Network/virtualNetworks", "virtualNetworkName"),
    "azure-native:network:NetworkSecurityGroup": ("Microsoft.Network/networkSecurityGroups", "networkSecurityGroupName"),
    "azure-native:network:PublicIPAddress": ("Microsoft.Network/publicIPAddresses", "publicIpAddressName"),
    "azure-native:network:NatGateway": ("Microsoft.Network/natGateways", "natGatewayName"),
    "azure-native:network:PrivateEndpoint": ("Microsoft.Network/privateEndpoints", "privateEndpointName"),
    "azure-native:privatedns:PrivateZone": ("Microsoft.Network/privateDnsZones", "privateZoneName"),
    "azure-native:operationalinsights:Workspace": ("Microsoft.OperationalInsights/workspaces", "workspaceName"),
    "azure-native:managedidentity:UserAssignedIdentity": (
        "Microsoft.ManagedIdentity/userAssignedIdentities", "resourceName"),
    "azure-native:keyvault:Vault": ("Microsoft.KeyVault/vaults", "vaultName"),
    "azure-native:storage:StorageAccount": ("Microsoft.Storage/storageAccounts", "accountName"),
    "azure-native:compute:DiskEncryptionSet": ("Microsoft.Compute/diskEncryptionSets", "diskEncryptionSetName"),
    "azure-native:containerservice:ManagedCluster": ("Microsoft.ContainerService/managedClusters", "resourceName"),
    "azure-native:dbforpostgresql:Server": ("Microsoft.DBforPostgreSQL/flexibleServers", "serverName"),
    "azure-native:redis:Redis": ("Microsoft.Cache/redis", "name"),
    "azure-native:redisenterprise:RedisEnterprise": ("Microsoft.Cache/redisEnterprise", "clusterName"),
    "azure-native:operationalinsights:Cluster": ("Microsoft.OperationalInsights/clusters", "clusterName"),
    "azure-native:monitor:ActionGroup": ("Microsoft.Insights/actionGroups", "actionGroupName"),
    "azure-native:monitor:MetricAlert": ("Microsoft.Insights/metricAlerts", "ruleName"),
    "azure-native:portal:Dashboard": ("Microsoft.Portal/dashboards", "dashboardName"),
}


def _guid(*parts: str) -> str:
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def _rg_id(group: str) -> str:
    return f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}"


def _kubeconfig(server: str) -> str:
    """What AKS returns from listClusterUserCredentials (format exec), base64-encoded."""
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "aks", "cluster": {"server": server, "certificate-authority-data": "bW9jay1jYQ=="}}],
        "users": [{"name": "clusterUser", "user": {"exec": {"command": "kubelogin", "args": ["get-token"]}}}],
        "contexts": [{"name": "aks", "context": {"cluster": "aks", "user": "clusterUser"}}],
        "current-context": "aks",
    }
    return base64.b64encode(json.dumps(doc).encode()).decode()


def outputs(type_: str, name: str, inputs: dict[str, Any], rid: str) -> dict[str, Any]:
    physical = name
    arm = _ARM.get(type_)
    if arm and inputs.get(arm[1]):
        physical = str(inputs[arm[1]])
    group = str(inputs.get("resourceGroupName") or f"{name}-rg")
    state: dict[str, Any] = {"name": physical}
    if type_ == "azure-native:resources:ResourceGroup":
        state["id"] = _rg_id(physical)
        return state
    if arm:
        state["id"] = f"{_rg_id(group)}/providers/{arm[0]}/{physical}"
    elif type_ == "azure-native:network:Subnet":
        subnet = str(inputs.get("subnetName") or name)
        state.update(name=subnet, id=f"{_rg_id(group)}/providers/Microsoft.Network/virtualNetworks/"
                                     f"{inputs.get('virtualNetworkName')}/subnets/{subnet}")
    elif type_ == "azure-native:keyvault:Key":
        key = str(inputs.get("keyName") or name)
        vault = inputs.get("vaultName")
        base = f"https://{vault}.vault.azure.net/keys/{key}"
        state.update(
            name=key,
            id=f"{_rg_id(group)}/providers/Microsoft.KeyVault/vaults/{vault}/keys/{key}",
            keyUri=base,
            keyUriWithVersion=f"{base}/{rid[:16]}{rid[:16]}",
        )
    elif type_ == "azure-native:redisenterprise:Database":
        # Azure Managed Redis: one database per cluster, a child resource of it.
        database = str(inputs.get("databaseName") or "default")
        state.update(
            name=database,
            id=f"{_rg_id(group)}/providers/Microsoft.Cache/redisEnterprise/{inputs.get('clusterName')}/databases/{database}",
            port=inputs.get("port", 10000),
        )
    elif type_ == "azure-native:authorization:RoleAssignment":
        guid = _guid(name, rid)
        state.update(name=guid, id=f"{inputs.get('scope')}/providers/Microsoft.Authorization/roleAssignments/{guid}")
    elif type_.startswith("azure-native:"):
        state["id"] = f"{_rg_id(group)}/providers/Microsoft.Resources/mock/{name}-{rid}"

    identity = inputs.get("identity")
    if isinstance(identity, dict) and isinstance(identity.get("userAssignedIdentities"), list):
        # Requests list the identities; Azure answers with a map keyed by identity id.
        state["identity"] = {
            **identity,
            "userAssignedIdentities": {
                i: {"principalId": _guid("principal", str(i)), "clientId": _guid("client", str(i))}
                for i in identity["userAssignedIdentities"]
            },
        }

    if type_ == "azure-native:managedidentity:UserAssignedIdentity":
        state.update(principalId=_guid("principal", name), clientId=_guid("client", name), tenantId=TENANT)
    elif type_ == "azure-native:keyvault:Vault":
        props = dict(inputs.get("properties") or {})
        props["vaultUri"] = f"https://{physical}.vault.azure.net/"
        state["properties"] = props
    elif type_ == "azure-native:containerservice:ManagedCluster":
        region = inputs.get("location", "westeurope")
        prefix = inputs.get("dnsPrefix", physical)
        state.update(
            fqdn=f"{prefix}-{rid[:8]}.hcp.{region}.azmk8s.io",
            privateFQDN=f"{prefix}-{rid[:8]}.{rid[8:16]}.privatelink.{region}.azmk8s.io",
            oidcIssuerProfile={"enabled": True, "issuerURL": f"https://{region}.oic.prod-aks.azure.com/{TENANT}/{rid}/"},
            identityProfile={"kubeletidentity": {"clientId": _guid("kubelet-client", name),
                                                 "objectId": _guid("kubelet-object", name)}},
            currentKubernetesVersion=inputs.get("kubernetesVersion"),
        )
    elif type_ == "azure-native:dbforpostgresql:Server":
        state["fullyQualifiedDomainName"] = f"{physical}.postgres.database.azure.com"
    elif type_ == "azure-native:redis:Redis":
        state.update(hostName=f"{physical}.redis.cache.windows.net", port=6379, sslPort=6380)
    elif type_ == "azure-native:redisenterprise:RedisEnterprise":
        state["hostName"] = f"{physical}.{inputs.get('location', 'westeurope')}.redis.azure.net"
    elif type_ == "azure-native:operationalinsights:Cluster":
        state["clusterId"] = _guid("log-cluster", name)
    elif type_ == "azure-native:operationalinsights:Workspace":
        state["customerId"] = _guid("workspace", name)
    return state


def invoke(token: str, args: dict[str, Any]) -> dict[str, Any] | None:
    if token == "azure-native:authorization:getClientConfig":
        return {"clientId": _guid("deployer"), "objectId": OBJECT, "subscriptionId": SUBSCRIPTION, "tenantId": TENANT}
    if token == "azure-native:containerservice:listManagedClusterUserCredentials":
        name = str(args.get("resourceName", "aks"))
        server = f"https://{name}.privatelink.westeurope.azmk8s.io:443"
        return {"kubeconfigs": [{"name": "clusterUser", "value": _kubeconfig(server)}]}
    return None
