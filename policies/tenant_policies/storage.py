"""Object storage (S3, Azure Storage, GCS): the tenant key, no public path, TLS only, versions kept and expired.

Every check reads the engine (camelCase) inputs. S3 settings live in companion resources of the
bucket (encryption, public access block, ownership, versioning, lifecycle, policy, logging) and
Azure's blob settings in resources of the account: one stack policy per cloud proves that every
bucket or account has all of them, the resource policies prove what each one says.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import ResourceValidationPolicy, Severity, StackValidationPolicy

from .aws_hardening import statements
from .base import (
    BACKUP,
    ENCRYPTION,
    NETWORK,
    RESIDENCY,
    RETENTION,
    SEGREGATION,
    TRANSIT,
    UNKNOWN,
    Context,
    Controls,
    Meta,
    Resource,
    as_int,
    as_list,
    explicit_false,
    get,
    is_set,
    resource_policy,
    same_enum,
    stack_policy,
    truthy,
)
from .encryption import customer_key

IDENTITY = Controls(gdpr=("Art.32(1)(b)",), soc2=("CC6.1", "CC6.3"), iso27001=("A.5.15", "A.5.18", "A.8.2"))
# The spec's bound on noncurrent_version_days: a longer rule keeps deleted data beyond any tier's promise.
MAX_NONCURRENT_DAYS = 3650
NONCURRENT_SCHEMA = {
    "maxNoncurrentVersionDays": {
        "type": "integer",
        "minimum": 1,
        "default": MAX_NONCURRENT_DAYS,
        "description": "Longest time a replaced or deleted object version may be kept, in days.",
    }
}

S3_BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
S3_ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
S3_PUBLIC_ACCESS = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
S3_OWNERSHIP = ("aws:s3/bucketOwnershipControls:BucketOwnershipControls",)
S3_ACLS = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
S3_VERSIONING = ("aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2")
S3_LIFECYCLE = (
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)
S3_POLICY = ("aws:s3/bucketPolicy:BucketPolicy",)
S3_LOGGING = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
IAM_DOCUMENTS = (
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/policy:Policy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
)
STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
MANAGEMENT_POLICY = "azure-native:storage:ManagementPolicy"
PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint"
DIAGNOSTICS = "azure-native:monitor:DiagnosticSetting"
GCS_BUCKET = "gcp:storage/bucket:Bucket"
GCS_IAM = (
    "gcp:storage/bucketIAMMember:BucketIAMMember",
    "gcp:storage/bucketIAMBinding:BucketIAMBinding",
    "gcp:storage/bucketIAMPolicy:BucketIAMPolicy",
    "gcp:storage/bucketAccessControl:BucketAccessControl",
    "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl",
    "gcp:storage/objectAccessControl:ObjectAccessControl",
)
GCS_PUBLIC_MEMBERS = ("allusers", "allauthenticatedusers")
# Roles that change a bucket's IAM, settings or everything in the project: never for a workload.
GCS_ADMIN_ROLES = ("roles/storage.admin", "roles/owner", "roles/editor", "roles/storage.legacybucketowner")
# GCS multi- and dual-regions (``EU``, ``US``, ``EUR4``, ``NAM4``, ...): data leaves the tenant's region.
GCS_REGION = re.compile(r"^[a-z]+-[a-z]+\d+$")


def _meta(
    name: str,
    description: str,
    remediation: str,
    controls: Controls,
    category: str,
    severity: Severity = Severity.HIGH,
    critical: bool = False,
    config: Mapping[str, dict[str, Any]] | None = None,
) -> Meta:
    return Meta(name, description, severity, remediation, controls, category, True, dict(config or {}), critical)


def _days_ok(days: int | None, ctx: Context) -> bool:
    return days is not None and 1 <= days <= int(ctx.setting("maxNoncurrentVersionDays", MAX_NONCURRENT_DAYS))


# ------------------------------------------------------------------ S3


def _s3_encryption(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    rules = as_list(props.get("rules"))
    defaults = [get(r, "applyServerSideEncryptionByDefault") for r in rules]
    if not defaults or not all(
        str(get(d, "sseAlgorithm") or "").lower() in {"aws:kms", "aws:kms:dsse"} and customer_key(get(d, "kmsMasterKeyId"))
        for d in defaults
    ):
        yield (
            "S3 bucket must encrypt by default with the tenant's KMS key "
            "(rules.applyServerSideEncryptionByDefault: sseAlgorithm aws:kms, kmsMasterKeyId)."
        )


def _s3_bucket_key(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    rules = as_list(props.get("rules"))
    if not rules or not all(truthy(get(r, "bucketKeyEnabled")) for r in rules):
        yield "S3 bucket encryption must use a bucket key (rules.bucketKeyEnabled: true)."


PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _s3_public_access(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    off = [flag for flag in PUBLIC_ACCESS_FLAGS if not truthy(props.get(flag))]
    if off:
        yield f"S3 public access block must set all four flags to true ({', '.join(off)} not true)."


def _s3_acls(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if ctx.resource_type in S3_ACLS:
        yield "S3 bucket ACLs are disabled: grant access through IAM and the bucket policy, not an ACL."
        return
    if not same_enum(get(props, "rule", "objectOwnership"), "BucketOwnerEnforced"):
        yield "S3 bucket must disable ACLs (rule.objectOwnership: BucketOwnerEnforced)."


def _s3_versioning(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not same_enum(get(props, "versioningConfiguration", "status"), "Enabled"):
        yield "S3 bucket must keep object versions (versioningConfiguration.status: Enabled)."


def _whole_bucket(rule: Any) -> bool:
    """A rule for every object: no prefix, tag or size filter narrows it."""
    filter_ = get(rule, "filter")
    narrowed = any(is_set(get(filter_, key)) for key in ("prefix", "tag", "and", "objectSizeGreaterThan",
                                                         "objectSizeLessThan"))
    return not narrowed and not is_set(get(rule, "prefix"))


def _s3_noncurrent(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    rules = [r for r in as_list(props.get("rules")) if same_enum(get(r, "status"), "Enabled") and _whole_bucket(r)]
    if not any(_days_ok(as_int(get(r, "noncurrentVersionExpiration", "noncurrentDays")), ctx) for r in rules):
        yield (
            "S3 bucket lifecycle must expire noncurrent versions of every object "
            "(an Enabled rule without filter, noncurrentVersionExpiration.noncurrentDays ≥ 1)."
        )


def _denies(policy: Any, op: str, key: str, test: Callable[[str], bool]) -> bool:
    """A Deny for everyone on every S3 action whose ``op`` condition on ``key`` passes ``test``."""
    for s in statements(policy):
        if str(s.get("Effect", "")).lower() != "deny":
            continue
        principal = s.get("Principal")
        everyone = principal == "*" or "*" in [str(p) for p in as_list(get(principal, "AWS"))]
        actions = [str(a) for a in as_list(s.get("Action"))]
        value = get(s, "Condition", op, key)
        if everyone and ("s3:*" in actions or "*" in actions) and isinstance(value, str) and test(value):
            return True
    return False


def _s3_transport(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not _denies(props.get("policy"), "Bool", "aws:SecureTransport", lambda v: v.lower() == "false"):
        yield "S3 bucket policy must deny every request without TLS (Deny s3:* on aws:SecureTransport false)."


def _tls_floor(value: str) -> bool:
    try:
        return float(value) >= 1.2
    except ValueError:
        return False


def _s3_tls_version(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not _denies(props.get("policy"), "NumericLessThan", "s3:TlsVersion", _tls_floor):
        yield "S3 bucket policy must deny TLS below 1.2 (Deny s3:* on NumericLessThan s3:TlsVersion 1.2)."


def _s3_policy_public(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    for s in statements(props.get("policy")):
        if str(s.get("Effect", "")).lower() != "allow":
            continue
        principal = s.get("Principal")
        values = [principal] if isinstance(principal, str) else [v for vs in (principal or {}).values() for v in as_list(vs)] \
            if isinstance(principal, Mapping) else []
        if "NotPrincipal" in s or any(str(v).strip() == "*" for v in values):
            yield 'S3 bucket policy must not allow Principal "*" (grant the workload role through IAM instead).'
            return


S3_ARN = re.compile(r"^arn:[^:]+:s3:::(?P<bucket>[^/]*)(?P<rest>/.*)?$")


def _s3_statement_scoped(statement: Mapping[str, Any]) -> bool:
    resources = [str(r) for r in as_list(statement.get("Resource"))]
    if "NotResource" in statement or not resources:
        return False
    for resource in resources:
        match = S3_ARN.match(resource)
        # One named bucket (and its objects): no "*" and no wildcard in the bucket's name.
        if match is None or not match.group("bucket") or re.search(r"[*?]", match.group("bucket")):
            return False
    return True


def _s3_access_scoped(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    for s in statements(props.get("policy")):
        if str(s.get("Effect", "")).lower() != "allow":
            continue
        actions = [str(a).strip().lower() for a in as_list(s.get("Action"))]
        s3 = [a for a in actions if a.startswith("s3:") or a == "*"]
        if not s3 and "NotAction" not in s:
            continue
        if "NotAction" in s or any(a in {"s3:*", "*"} for a in s3) or not _s3_statement_scoped(s):
            yield (
                "IAM access to S3 must name actions and the tenant's bucket ARNs "
                '(no "s3:*", no Resource "*" or wildcard bucket names).'
            )
            return


def _attached(companion: Resource, owner: Resource, key: str, name: Any) -> bool:
    """Does ``companion`` configure ``owner``: its ``key`` names it, or, while that is still unknown (a preview
    of new resources), it depends on it. A known name decides alone: the log bucket's policy depends on
    the tenant's bucket (its source ARN) without configuring it."""
    value = companion.props.get(key)
    if isinstance(value, str) and isinstance(name, str) and name:
        return value == name
    return owner.urn in companion.dependencies


S3_COMPANIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("server-side encryption configuration", S3_ENCRYPTION),
    ("public access block", S3_PUBLIC_ACCESS),
    ("ownership controls", S3_OWNERSHIP),
    ("versioning", S3_VERSIONING),
    ("lifecycle configuration", S3_LIFECYCLE),
    ("bucket policy", S3_POLICY),
)


def _s3_controls(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    logging = [r for r in resources if r.type in S3_LOGGING]
    for bucket in (r for r in resources if r.type in S3_BUCKETS):
        name = bucket.props.get("bucket")
        missing = [
            label
            for label, types in S3_COMPANIONS
            if not any(r.type in types and _attached(r, bucket, "bucket", name) for r in resources)
        ]
        # Logged, or the target other buckets log to (a log bucket does not log into itself).
        if not any(_attached(r, bucket, "bucket", name) or _attached(r, bucket, "targetBucket", name) for r in logging):
            missing.append("server access logging")
        if missing:
            yield (f"S3 bucket {bucket.name} lacks its {', '.join(missing)} (every bucket gets all of them).", bucket.urn)


# ------------------------------------------------------------------ Azure Storage


def _encryption(props: Mapping[str, Any]) -> Any:
    return props.get("encryption")


def _az_cmk(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    enc = _encryption(props)
    vault = get(enc, "keyVaultProperties")
    services = get(enc, "services")
    service_keys = [get(services, s, "keyType") for s in ("table", "queue")]
    if not (
        same_enum(get(enc, "keySource"), "Microsoft.Keyvault")
        and is_set(get(vault, "keyVaultUri"))
        and is_set(get(vault, "keyName"))
        and is_set(get(enc, "encryptionIdentity", "encryptionUserAssignedIdentity"))
        and all(k is None or same_enum(k, "Account") for k in service_keys)
    ):
        yield (
            "Storage account must encrypt with the tenant's Key Vault key through its user-assigned identity "
            "(encryption.keySource Microsoft.Keyvault, keyVaultProperties, encryptionIdentity; "
            "table and queue keyType Account)."
        )


def _az_infrastructure(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not truthy(get(_encryption(props), "requireInfrastructureEncryption")):
        yield "Storage account must add infrastructure encryption (encryption.requireInfrastructureEncryption: true)."


def _az_shared_key(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    # Unset means allowed: account keys and every SAS signed with them keep working.
    if not explicit_false(props.get("allowSharedKeyAccess")):
        yield "Storage account must refuse shared keys and key-signed SAS (allowSharedKeyAccess: false)."


def _az_public_blobs(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not explicit_false(props.get("allowBlobPublicAccess")):
        yield "Storage account must forbid anonymous blob and container access (allowBlobPublicAccess: false)."


def _az_tls(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if str(props.get("minimumTlsVersion") or "TLS1_0").upper() not in {"TLS1_2", "TLS1_3"}:
        yield "Storage account must refuse TLS below 1.2 (minimumTlsVersion: TLS1_2)."


def _az_https(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not truthy(props.get("enableHttpsTrafficOnly")):
        yield "Storage account must accept HTTPS only (enableHttpsTrafficOnly: true)."


def _az_network(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not same_enum(props.get("publicNetworkAccess"), "Disabled"):
        yield "Storage account must have no public endpoint (publicNetworkAccess: Disabled)."
    if not same_enum(get(props, "networkRuleSet", "defaultAction"), "Deny"):
        yield "Storage account must deny every network by default (networkRuleSet.defaultAction: Deny)."


def _az_recovery(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    retention = props.get("containerDeleteRetentionPolicy")
    if not truthy(props.get("isVersioningEnabled")):
        yield "Blob service must keep blob versions (isVersioningEnabled: true)."
    if not (truthy(get(retention, "enabled")) and (as_int(get(retention, "days")) or 0) >= 1):
        yield "Blob service must keep deleted containers recoverable (containerDeleteRetentionPolicy enabled, days ≥ 1)."


def _az_noncurrent(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    rules = [
        r
        for r in as_list(get(props, "policy", "rules"))
        if r.get("enabled") is not False and same_enum(get(r, "type"), "Lifecycle")
        and not as_list(get(r, "definition", "filters", "prefixMatch"))
        and not as_list(get(r, "definition", "filters", "blobIndexMatch"))
    ]
    days = [as_int(get(r, "definition", "actions", "version", "delete", "daysAfterCreationGreaterThan")) for r in rules]
    if not any(_days_ok(d, ctx) for d in days):
        yield (
            "Storage account lifecycle must delete previous blob versions of every blob "
            "(an enabled rule without prefix, actions.version.delete.daysAfterCreationGreaterThan ≥ 1)."
        )


def _refers(resource: Resource, account: Resource, name: Any, text: Any) -> bool:
    """``text`` (a resource id) is the account's or one of its services', or, while unknown, a dependency."""
    if isinstance(text, str) and isinstance(name, str) and name:
        return re.search(rf"/storageaccounts/{re.escape(name.lower())}(/|$)", text.lower()) is not None
    return account.urn in resource.dependencies


def _az_controls(resources: Sequence[Resource], ctx: Context) -> Iterator[tuple[str, str | None]]:
    for account in (r for r in resources if r.type == STORAGE_ACCOUNT):
        name = account.props.get("accountName")
        missing = []
        if not any(r.type == BLOB_SERVICE and _attached(r, account, "accountName", name) for r in resources):
            missing.append("blob service properties (versioning)")
        if not any(r.type == MANAGEMENT_POLICY and _attached(r, account, "accountName", name) for r in resources):
            missing.append("lifecycle management policy")
        endpoints = [
            r for r in resources
            if r.type == PRIVATE_ENDPOINT
            and any(
                _refers(r, account, name, get(c, "privateLinkServiceId"))
                and "blob" in [str(g).lower() for g in as_list(get(c, "groupIds"))]
                for c in as_list(r.props.get("privateLinkServiceConnections"))
            )
        ]
        if not endpoints:
            missing.append("blob private endpoint")
        # The namespace's HTTPS egress names the endpoint's /32: a dynamic address is unknown beforehand.
        elif not any(is_set(get(c, "privateIPAddress")) for e in endpoints for c in as_list(e.props.get("ipConfigurations"))):
            missing.append("static address on its blob private endpoint (ipConfigurations)")
        if not any(
            r.type == DIAGNOSTICS
            and _refers(r, account, name, r.props.get("resourceUri"))
            and any(truthy(get(log, "enabled")) for log in as_list(r.props.get("logs")))
            for r in resources
        ):
            missing.append("blob diagnostic setting")
        if missing:
            yield (f"Storage account {account.name} lacks its {', '.join(missing)}.", account.urn)


# ------------------------------------------------------------------ GCS


def _gcs_cmk(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not is_set(get(props, "encryption", "defaultKmsKeyName")):
        yield "GCS bucket must encrypt by default with the tenant's Cloud KMS key (encryption.defaultKmsKeyName)."


def _gcs_uniform(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not truthy(props.get("uniformBucketLevelAccess")):
        yield "GCS bucket must use IAM only, no ACLs (uniformBucketLevelAccess: true)."


def _gcs_prevention(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not same_enum(props.get("publicAccessPrevention"), "enforced"):
        yield "GCS bucket must refuse every public grant (publicAccessPrevention: enforced)."


def _gcs_versioning(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    if not truthy(get(props, "versioning", "enabled")):
        yield "GCS bucket must keep object versions (versioning.enabled: true)."


def _gcs_noncurrent(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    rules = [
        r for r in as_list(props.get("lifecycleRules"))
        if same_enum(get(r, "action", "type"), "Delete")
        and not as_list(get(r, "condition", "matchesPrefixes")) and not as_list(get(r, "condition", "matchesSuffixes"))
    ]
    if not any(_days_ok(as_int(get(r, "condition", "daysSinceNoncurrentTime")), ctx) for r in rules):
        yield (
            "GCS bucket lifecycle must delete noncurrent versions of every object "
            "(a Delete rule with condition.daysSinceNoncurrentTime ≥ 1)."
        )


def _gcs_location(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    location = props.get("location")
    if location is UNKNOWN:
        return
    place = str(location or "").strip().lower()
    if not GCS_REGION.match(place):
        yield f"GCS bucket must be regional, in the tenant's region (location {location!r} spans regions)."
    elif ctx.region and place != ctx.region.lower():
        yield f"GCS bucket must be in the tenant's region {ctx.region} (location is {location!r})."


def _gcs_iam(props: Mapping[str, Any], ctx: Context) -> Iterator[str]:
    # IAM member, binding and policy (JSON) resources, and the ACL resources (their ``entity``).
    members = [str(m) for m in as_list(props.get("members"))] + [str(props.get("member") or props.get("entity") or "")]
    policy = props.get("policyData")
    if isinstance(policy, str):
        members.append(policy)
    if any(p in m.lower() for m in members for p in GCS_PUBLIC_MEMBERS):
        yield "GCS bucket must not be granted to allUsers or allAuthenticatedUsers."
    role = str(props.get("role") or "").lower()
    if role in GCS_ADMIN_ROLES or role.startswith("roles/storage.legacy"):
        yield f"GCS bucket IAM must not grant {role}: objects only (e.g. roles/storage.objectUser)."


# ------------------------------------------------------------------ the policies

S3_FIX = "Restore the setting in components/aws/storage.py (every bucket, the log bucket included, is built there)."
AZ_FIX = "Restore the setting in components/azure/storage.py."
GCS_FIX = "Restore the setting in components/gcp/storage.py."

POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    # ---------------------------------------------------------------- AWS
    resource_policy(
        _meta("aws-storage-bucket-encryption", "Checks that S3 buckets encrypt by default with the tenant's KMS key.",
              S3_FIX, ENCRYPTION, "encryption", Severity.CRITICAL, critical=True),
        S3_ENCRYPTION,
        _s3_encryption,
    ),
    resource_policy(
        _meta("aws-storage-bucket-key", "Checks that S3 default encryption uses a bucket key.", S3_FIX, ENCRYPTION,
              "encryption", Severity.LOW),
        S3_ENCRYPTION,
        _s3_bucket_key,
    ),
    resource_policy(
        _meta("aws-storage-public-access-block", "Checks that S3 public access blocks set all four flags.", S3_FIX,
              NETWORK, "isolation", Severity.CRITICAL, critical=True),
        S3_PUBLIC_ACCESS,
        _s3_public_access,
    ),
    resource_policy(
        _meta("aws-storage-acls-disabled", "Checks that S3 buckets disable ACLs (BucketOwnerEnforced) and set none.",
              S3_FIX, NETWORK, "isolation", critical=True),
        (*S3_OWNERSHIP, *S3_ACLS),
        _s3_acls,
    ),
    resource_policy(
        _meta("aws-storage-versioning", "Checks that S3 buckets keep object versions.", S3_FIX, BACKUP, "resilience"),
        S3_VERSIONING,
        _s3_versioning,
    ),
    resource_policy(
        _meta("aws-storage-noncurrent-version-expiry",
              "Checks that S3 lifecycles expire noncurrent object versions of every object within the limit.",
              "Restore the lifecycle rule (object_storage.noncurrent_version_days in the tenant file).", RETENTION,
              "resilience", Severity.MEDIUM, config=NONCURRENT_SCHEMA),
        S3_LIFECYCLE,
        _s3_noncurrent,
    ),
    resource_policy(
        _meta("aws-storage-secure-transport", "Checks that S3 bucket policies deny requests without TLS.", S3_FIX,
              TRANSIT, "transit"),
        S3_POLICY,
        _s3_transport,
    ),
    resource_policy(
        _meta("aws-storage-tls-version", "Checks that S3 bucket policies deny TLS versions below 1.2.", S3_FIX, TRANSIT,
              "transit", Severity.MEDIUM),
        S3_POLICY,
        _s3_tls_version,
    ),
    resource_policy(
        _meta("aws-storage-bucket-policy-no-public", 'Checks that S3 bucket policies never allow Principal "*".',
              S3_FIX, NETWORK, "isolation", Severity.CRITICAL, critical=True),
        S3_POLICY,
        _s3_policy_public,
    ),
    resource_policy(
        _meta("aws-storage-access-scoped",
              "Checks that IAM grants on S3 name their actions and exactly the buckets they are for.",
              "Grant the workload role the object actions on the tenant's bucket ARN and its objects only.",
              IDENTITY, "isolation", Severity.CRITICAL, critical=True),
        IAM_DOCUMENTS,
        _s3_access_scoped,
    ),
    stack_policy(
        _meta("aws-storage-bucket-controls",
              "Checks that every S3 bucket has its encryption, public access block, ownership, versioning, "
              "lifecycle, policy and access logging resources.",
              S3_FIX, ENCRYPTION, "encryption", Severity.CRITICAL, critical=True),
        _s3_controls,
    ),
    # ---------------------------------------------------------------- Azure
    resource_policy(
        _meta("azure-storage-cmk-encryption",
              "Checks that storage accounts encrypt with the tenant's Key Vault key through a user-assigned identity.",
              AZ_FIX, ENCRYPTION, "encryption", Severity.CRITICAL, critical=True),
        [STORAGE_ACCOUNT],
        _az_cmk,
    ),
    resource_policy(
        _meta("azure-storage-infrastructure-encryption", "Checks that storage accounts add infrastructure encryption.",
              AZ_FIX, ENCRYPTION, "encryption", Severity.MEDIUM),
        [STORAGE_ACCOUNT],
        _az_infrastructure,
    ),
    resource_policy(
        _meta("azure-storage-shared-key-disabled", "Checks that storage accounts refuse shared-key authorization.",
              AZ_FIX, IDENTITY, "isolation"),
        [STORAGE_ACCOUNT],
        _az_shared_key,
    ),
    resource_policy(
        _meta("azure-storage-no-public-blobs", "Checks that storage accounts forbid anonymous blob access.", AZ_FIX,
              NETWORK, "isolation", Severity.CRITICAL, critical=True),
        [STORAGE_ACCOUNT],
        _az_public_blobs,
    ),
    resource_policy(
        _meta("azure-storage-tls-version", "Checks that storage accounts refuse TLS below 1.2.", AZ_FIX, TRANSIT,
              "transit"),
        [STORAGE_ACCOUNT],
        _az_tls,
    ),
    resource_policy(
        _meta("azure-storage-https-only", "Checks that storage accounts accept HTTPS only.", AZ_FIX, TRANSIT, "transit"),
        [STORAGE_ACCOUNT],
        _az_https,
    ),
    resource_policy(
        _meta("azure-storage-no-public-network",
              "Checks that storage accounts have no public endpoint and deny every network by default.", AZ_FIX,
              NETWORK, "isolation", Severity.CRITICAL, critical=True),
        [STORAGE_ACCOUNT],
        _az_network,
    ),
    resource_policy(
        _meta("azure-storage-blob-recovery",
              "Checks that blob services keep blob versions and deleted containers recoverable.", AZ_FIX, BACKUP,
              "resilience"),
        [BLOB_SERVICE],
        _az_recovery,
    ),
    resource_policy(
        _meta("azure-storage-noncurrent-version-expiry",
              "Checks that storage lifecycle policies delete previous blob versions of every blob within the limit.",
              "Restore the lifecycle rule (object_storage.noncurrent_version_days in the tenant file).", RETENTION,
              "resilience", Severity.MEDIUM, config=NONCURRENT_SCHEMA),
        [MANAGEMENT_POLICY],
        _az_noncurrent,
    ),
    stack_policy(
        _meta("azure-storage-account-controls",
              "Checks that every storage account has its versioning, lifecycle policy, blob private endpoint and "
              "blob diagnostic setting.",
              AZ_FIX, SEGREGATION, "isolation", Severity.CRITICAL, critical=True),
        _az_controls,
    ),
    # ---------------------------------------------------------------- GCP
    resource_policy(
        _meta("gcp-storage-cmk-encryption", "Checks that GCS buckets encrypt by default with the tenant's Cloud KMS key.",
              GCS_FIX, ENCRYPTION, "encryption", Severity.CRITICAL, critical=True),
        [GCS_BUCKET],
        _gcs_cmk,
    ),
    resource_policy(
        _meta("gcp-storage-uniform-access", "Checks that GCS buckets use uniform bucket-level access (no ACLs).",
              GCS_FIX, NETWORK, "isolation", Severity.CRITICAL, critical=True),
        [GCS_BUCKET],
        _gcs_uniform,
    ),
    resource_policy(
        _meta("gcp-storage-public-access-prevention", "Checks that GCS buckets enforce public access prevention.",
              GCS_FIX, NETWORK, "isolation", Severity.CRITICAL, critical=True),
        [GCS_BUCKET],
        _gcs_prevention,
    ),
    resource_policy(
        _meta("gcp-storage-versioning", "Checks that GCS buckets keep object versions.", GCS_FIX, BACKUP, "resilience"),
        [GCS_BUCKET],
        _gcs_versioning,
    ),
    resource_policy(
        _meta("gcp-storage-noncurrent-version-expiry",
              "Checks that GCS lifecycles delete noncurrent object versions of every object within the limit.",
              "Restore the lifecycle rule (object_storage.noncurrent_version_days in the tenant file).", RETENTION,
              "resilience", Severity.MEDIUM, config=NONCURRENT_SCHEMA),
        [GCS_BUCKET],
        _gcs_noncurrent,
    ),
    resource_policy(
        _meta("gcp-storage-bucket-location", "Checks that GCS buckets are regional, in the tenant's own region.",
              "Create the bucket in the tenant's region (region in the tenant file), never a multi-region.",
              RESIDENCY, "residency"),
        [GCS_BUCKET],
        _gcs_location,
    ),
    resource_policy(
        _meta("gcp-storage-iam-scoped",
              "Checks that GCS bucket grants are never public and never administer the bucket.",
              "Grant the workload's service account roles/storage.objectUser on the tenant's bucket only.",
              IDENTITY, "isolation", Severity.CRITICAL, critical=True),
        GCS_IAM,
        _gcs_iam,
    ),
]
