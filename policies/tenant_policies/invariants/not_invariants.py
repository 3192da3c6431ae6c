"""Security-looking properties the components set that are not invariants, one line each saying why.

The completeness test (``tests/test_invariant_inventory.py``) walks every rendered resource and fails on a
security-relevant property that neither an inventory row covers nor an entry here explains. ``type`` and
``path`` are ``fnmatch`` patterns over the engine type (Azure API version stripped) and the dotted path
(``*`` for list elements); an entry covers its path and everything under it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NotInvariant:
    type: str
    path: str
    why: str


NOT_INVARIANTS: list[NotInvariant] = [
    # Address plans and names: where things are, not who can reach them.
    NotInvariant("aws:ec2/vpc:Vpc", "cidrBlock", "the VPC's private address plan; reachability is the security groups'"),
    NotInvariant("aws:ec2/subnet:Subnet", "cidrBlock", "the subnet's share of the address plan"),
    NotInvariant("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "cidrIpv4",
                 "a pod group's DNS to the VPC resolver's /32; who reaches data is aws-data-pooled-source's"),
    NotInvariant("gcp:compute/subnetwork:Subnetwork", "ipCidrRange", "the subnet's private address plan"),
    NotInvariant("gcp:compute/subnetwork:Subnetwork", "secondaryIpRanges", "pod and service address ranges inside the VPC"),
    NotInvariant("gcp:container/cluster:Cluster", "privateClusterConfig.masterIpv4CidrBlock", "the control plane's private /28"),
    NotInvariant("azure-native:containerservice:ManagedCluster", "networkProfile.podCidr", "in-cluster pod address plan"),
    NotInvariant("azure-native:containerservice:ManagedCluster", "networkProfile.serviceCidr", "in-cluster service address plan"),
    NotInvariant("azure-native:keyvault:Key", "keyName", "the key's name; its rotation policy is the invariant"),
    NotInvariant(
        "aws:kms/alias:Alias", "targetKeyId", "a display name for the key; which key encrypts is checked on each consumer"
    ),
    # Egress paths: the default route and NAT let private nodes out; nothing comes in through them.
    NotInvariant(
        "aws:ec2/routeTable:RouteTable", "routes", "the default route to the NAT/internet gateway is egress; ingress is the SGs'"
    ),
    NotInvariant("gcp:compute/routerNat:RouterNat", "*", "egress NAT for nodes without public IPs; admits no inbound connection"),
    NotInvariant("azure-native:network:NatGateway", "publicIpAddresses", "the NAT's outbound address: egress only"),
    NotInvariant(
        "azure-native:network:PublicIPAddress", "publicIPAllocationMethod", "static so partners can allow the NAT's egress IP"
    ),
    NotInvariant(
        "gcp:compute/subnetwork:Subnetwork",
        "privateIpGoogleAccess",
        "lets nodes without public IPs reach Google APIs; off exposes nothing",
    ),
    # Ports and protocols of a rule: the service's own; exposure depends on the rule's source.
    NotInvariant(
        "aws:ec2/securityGroup:SecurityGroup", "ingress.*.fromPort", "the service's port; the rule's source decides exposure"
    ),
    NotInvariant(
        "aws:ec2/securityGroup:SecurityGroup", "ingress.*.toPort", "the service's port; the rule's source decides exposure"
    ),
    NotInvariant(
        "aws:ec2/securityGroup:SecurityGroup", "ingress.*.protocol", "the service's protocol; the rule's source decides exposure"
    ),
    # Private-link and DNS wiring: it exists only to keep traffic private; names and ids are Azure's.
    NotInvariant(
        "azure-native:network:PrivateDnsZoneGroup", "*", "DNS records for a private endpoint; names fixed by Private Link"
    ),
    NotInvariant(
        "azure-native:network:PrivateEndpoint", "privateLinkServiceConnections", "which service the private endpoint reaches"
    ),
    NotInvariant("azure-native:privatedns:PrivateZone", "privateZoneName", "Private Link's fixed zone name (privatelink.*)"),
    NotInvariant(
        "azure-native:privatedns:VirtualNetworkLink", "privateZoneName", "Private Link's fixed zone name (privatelink.*)"
    ),
    NotInvariant(
        "azure-native:dbforpostgresql:Server",
        "network.privateDnsZoneArmResourceId",
        "the private zone the server's name resolves in",
    ),
    NotInvariant(
        "azure-native:network:Subnet", "privateLinkServiceNetworkPolicies", "no Private Link service is hosted in the subnet"
    ),
    NotInvariant(
        "azure-native:containerservice:ManagedCluster",
        "apiServerAccessProfile.privateDNSZone",
        "who manages the private API zone; any value stays private",
    ),
    # Which identity reads a key: the key (and that one is set) is the invariant.
    NotInvariant(
        "azure-native:dbforpostgresql:Server", "identity.userAssignedIdentities", "the identity the server reads its key with"
    ),
    NotInvariant(
        "azure-native:dbforpostgresql:Server", "dataEncryption.*UserAssignedIdentityId", "the identity that reads the key"
    ),
    NotInvariant(
        "azure-native:redisenterprise:RedisEnterprise",
        "encryption.customerManagedKeyEncryption.keyEncryptionKeyIdentity",
        "the identity that reads the key",
    ),
    NotInvariant(
        "azure-native:containerservice:ManagedCluster",
        "aadProfile.tenantID",
        "the organisation's Entra tenant (a placeholder offline)",
    ),
    NotInvariant(
        "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
        "cryptoKeyId",
        "the key a service agent may use; one grant per key by construction",
    ),
    # Schedules, units and formats: when or how, never whether.
    NotInvariant("aws:rds/instance:Instance", "backupWindow", "when the daily backup runs, not whether"),
    NotInvariant(
        "gcp:sql/databaseInstance:DatabaseInstance", "settings.backupConfiguration.startTime", "when the daily backup runs"
    ),
    NotInvariant(
        "gcp:sql/databaseInstance:DatabaseInstance",
        "settings.backupConfiguration.backupRetentionSettings.retentionUnit",
        "the unit of retainedBackups",
    ),
    NotInvariant("aws:lambda/function:Function", "loggingConfig.logFormat", "the format of log lines, not whether they are kept"),
    NotInvariant(
        "aws:lambda/function:Function",
        "loggingConfig.logGroup",
        "the group's name; its encryption and retention are checked on the group",
    ),
    # Kubernetes schema constants and report-only labels.
    NotInvariant(
        "kubernetes:core/v1:Namespace",
        "metadata.labels.pod-security\\.kubernetes\\.io/*-version",
        "which release's standard; the level is the invariant",
    ),
    NotInvariant(
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
        "roleRef.apiGroup",
        "the RBAC API group, the only value the schema allows",
    ),
    NotInvariant(
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
        "subjects.*.apiGroup",
        "the RBAC API group of a Group subject, fixed by the schema",
    ),
    # Tier choices, not invariants: the tier sets them and advisory resilience policies check them per tier.
    NotInvariant("aws:rds/instance:Instance", "deletionProtection", "per tier (aws-rds-deletion-protection, advisory)"),
    NotInvariant(
        "aws:elasticache/replicationGroup:ReplicationGroup", "snapshotRetentionLimit", "per tier (snapshot retention, advisory)"
    ),
    NotInvariant("gcp:container/cluster:Cluster", "deletionProtection", "guards against deleting the cluster by mistake"),
    NotInvariant("gcp:sql/databaseInstance:DatabaseInstance", "deletionProtection", "per tier (deletion protection, advisory)"),
    NotInvariant(
        "gcp:sql/databaseInstance:DatabaseInstance", "settings.deletionProtectionEnabled", "per tier (deletion protection)"
    ),
    NotInvariant(
        "gcp:sql/databaseInstance:DatabaseInstance",
        "settings.backupConfiguration.backupRetentionSettings.retainedBackups",
        "per tier; that backups run at all is the invariant (gcp-cloudsql-backups)",
    ),
    NotInvariant(
        "gcp:sql/databaseInstance:DatabaseInstance",
        "settings.backupConfiguration.transactionLogRetentionDays",
        "per tier; that point-in-time recovery is on is the invariant",
    ),
    NotInvariant(
        "azure-native:dbforpostgresql:Server",
        "backup.geoRedundantBackup",
        "per tier and region pair; enterprise tenants in paired regions are proven by the geo-backup policies",
    ),
    # Operational settings next to a secure one.
    NotInvariant(
        "aws:ec2/launchTemplate:LaunchTemplate",
        "metadataOptions.httpEndpoint",
        "nodes need IMDS for their credentials; IMDSv2 tokens and hop limit 1 are the invariants",
    ),
    NotInvariant(
        "aws:ec2/launchTemplate:LaunchTemplate", "metadataOptions.instanceMetadataTags", "tags carry no secrets either way"
    ),
    NotInvariant(
        "aws:elasticache/replicationGroup:ReplicationGroup", "authTokenUpdateStrategy", "how a token change rolls out"
    ),
    NotInvariant("aws:rds/instance:Instance", "performanceInsightsRetentionPeriod", "how long query statistics are kept"),
    NotInvariant(
        "azure-native:containerservice:ManagedCluster",
        "securityProfile.azureKeyVaultKms.keyVaultResourceId",
        "the vault the KMS key lives in; the key and private access are proven by the AKS KMS policies",
    ),
    NotInvariant(
        "azure-native:operationalinsights:Cluster",
        "keyVaultProperties.keyVaultUri",
        "the vault address; the key is proven by azure-loganalytics-cmk-encryption",
    ),
    NotInvariant(
        "azure-native:keyvault:Vault",
        "properties.networkAcls.bypass",
        "lets trusted Azure services (backup, disk encryption) through the default-deny ACL",
    ),
    NotInvariant(
        "azure-native:network:Subnet",
        "privateEndpointNetworkPolicies",
        "Azure's default for endpoint subnets; the endpoints admit only the NSG-allowed sources of their peers",
    ),
    NotInvariant(
        "gcp:container/cluster:Cluster",
        "privateClusterConfig.masterGlobalAccessConfig.enabled",
        "off: the private endpoint is reachable from the cluster's region only; on exposes nothing publicly",
    ),
    NotInvariant(
        "gcp:sql/databaseInstance:DatabaseInstance",
        "settings.ipConfiguration.privateNetwork",
        "which VPC the private IP is in; no public IP (ipv4Enabled) is the invariant",
    ),
    NotInvariant(
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        "spec.egress.*.to.*.ipBlock.cidr",
        "where the tenant's data services listen (the tenant's /32s on GKE, data subnets on AKS); on EKS the pod "
        "security group is the boundary (aws-data-pooled-source); metadata addresses are refused by their own policy",
    ),
    # Cluster add-ons (components/kubernetes/addons).
    NotInvariant(
        "kubernetes:helm.sh/v3:Release", "values.*ecurityContext*",
        "chart values restate the restricted Pod Security level their namespace enforces at admission "
        "(kubernetes-addon-namespace-pod-security): a pod without them is refused, never admitted weaker",
    ),
    NotInvariant(
        "kubernetes:helm.sh/v3:Release", "values.rbac.serviceAccount",
        "the cluster-autoscaler's service account, the one subject its IRSA role trusts (the IAM role's trust policy)",
    ),
    NotInvariant(
        "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy", "spec.provider.kubernetes.envoyDeployment.*ecurityContext*",
        "the proxies' pod settings restate the restricted level their namespace enforces at admission",
    ),
    NotInvariant(
        "kubernetes:cert-manager.io/v1:ClusterIssuer", "spec.acme.privateKeySecretRef",
        "the name of the Secret cert-manager generates the ACME account key into; a name, not an exposure",
    ),
]
