"""Every example tenant's object storage, as the engine would receive it: the tenant's key, the tenant
workload's identity as the only principal, the noncurrent-version days of its specification.

Identities are followed through the rendered dependency graph (which resource an input came from), never
through names the components choose; expected values come from the tenant files, the tier table and the
clouds' own rules (built-in role ids, service-agent and URI forms).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components.naming import bucket_name, namespace_name
from spec.loader import load_tenant
from spec.tiers import tier_defaults
from tenantctl.render import RenderedResource, RenderedTenant, render_tenant

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "tenants").glob("*.yaml"))
# Azure built-in role definitions (the same id in every Entra tenant).
STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"


@pytest.fixture(scope="module")
def rendered() -> dict[str, RenderedTenant]:
    return {path.stem: render_tenant(load_tenant(path), ROOT) for path in EXAMPLES}


def _of_cloud(rendered: dict[str, RenderedTenant], cloud: str) -> list[RenderedTenant]:
    found = [r for r in rendered.values() if r.tenant.spec.cloud == cloud]
    assert found, f"no example tenant on {cloud}"
    return found


def _by_urn(r: RenderedTenant) -> dict[str, RenderedResource]:
    return {res.urn: res for res in r.resources}


def _deps(r: RenderedTenant, res: RenderedResource, prop: str, type_: str) -> list[RenderedResource]:
    """The resources of ``type_`` the input ``prop`` of ``res`` was computed from."""
    urns = _by_urn(r)
    return [urns[u] for u in res.property_dependencies.get(prop, []) if u in urns and urns[u].type == type_]


def _only(items: list[RenderedResource], what: str) -> RenderedResource:
    assert len(items) == 1, f"expected one {what}, found {[i.name for i in items]}"
    return items[0]


def _service_account(r: RenderedTenant) -> RenderedResource:
    workload = r.tenant.spec.config.workload.name
    return _only(
        [s for s in r.of_type("kubernetes:core/v1:ServiceAccount") if s.inputs["metadata"]["name"] == workload],
        "workload ServiceAccount",
    )


def _noncurrent_days(r: RenderedTenant) -> int:
    spec = r.tenant.spec
    days = spec.config.object_storage.noncurrent_version_days
    # A tenant file that says nothing about it gets its tier's value.
    if "object_storage" not in r.tenant.path.read_text(encoding="utf-8"):
        assert days == tier_defaults(spec.tier, spec.cloud)["object_storage"]["noncurrent_version_days"]
    return int(days)


def test_every_example_tenant_has_object_storage(rendered: dict[str, RenderedTenant]) -> None:
    kinds = {"aws": "aws:s3/bucket:Bucket", "azure": "azure-native:storage:StorageAccount", "gcp": "gcp:storage/bucket:Bucket"}
    names = {"aws": "bucket", "azure": "accountName", "gcp": "name"}
    for tid, r in rendered.items():
        cloud = r.tenant.spec.cloud
        stores = [s.inputs[names[cloud]] for s in r.of_type(kinds[cloud])]
        assert bucket_name(tid, cloud) in stores, tid


# ------------------------------------------------------------------ AWS


def _statements(doc: str) -> list[dict[str, Any]]:
    return list(json.loads(doc)["Statement"])


def test_aws_buckets_use_the_tenants_key_and_expire_versions_after_the_specs_days(
    rendered: dict[str, RenderedTenant],
) -> None:
    for r in _of_cloud(rendered, "aws"):
        key = _only(r.of_type("aws:kms/key:Key"), "KMS key")
        alias = _only(r.of_type("aws:kms/alias:Alias"), "KMS alias")
        assert alias.inputs["name"] == f"alias/tenant-platform/{r.tenant_id}"
        buckets = {b.inputs["bucket"]: b for b in r.of_type("aws:s3/bucket:Bucket")}
        assert bucket_name(r.tenant_id, "aws") in buckets and len(buckets) == 2  # the data bucket and its log bucket
        for sse in r.of_type("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"):
            assert _deps(r, sse, "rules", "aws:kms/key:Key") == [key], sse.name
            (rule,) = sse.inputs["rules"]
            assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
            assert ":key/" in rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"]
        encrypted = {s.inputs["bucket"] for s in r.of_type(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")}
        assert encrypted == set(buckets)
        days = _noncurrent_days(r)
        lifecycles = {lc.inputs["bucket"]: lc for lc in r.of_type(
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")}
        assert set(lifecycles) == set(buckets)
        for lc in lifecycles.values():
            assert [rule["noncurrentVersionExpiration"]["noncurrentDays"] for rule in lc.inputs["rules"]] == [days]


def test_aws_bucket_access_is_the_workload_role_alone(rendered: dict[str, RenderedTenant]) -> None:
    for r in _of_cloud(rendered, "aws"):
        spec, data = r.tenant.spec, bucket_name(r.tenant_id, "aws")
        arn = f"arn:aws:s3:::{data}"
        role = _only(_deps(r, _service_account(r), "metadata", "aws:iam/role:Role"), "IRSA role of the ServiceAccount")
        trust = json.dumps(json.loads(role.inputs["assumeRolePolicy"]))
        assert f"system:serviceaccount:{namespace_name(r.tenant_id)}:{spec.config.workload.name}" in trust
        grants = [p for p in r.of_type("aws:iam/rolePolicy:RolePolicy") if '"s3:' in p.inputs["policy"]]
        grant = _only(grants, "IAM grant on S3")
        assert _deps(r, grant, "role", "aws:iam/role:Role") == [role]
        for statement in _statements(grant.inputs["policy"]):
            assert statement["Effect"] == "Allow"
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if all(a.startswith("kms:") for a in actions):
                # The tenant key, only through S3 in the tenant's region, only for this bucket.
                condition = statement["Condition"]["StringEquals"]
                assert condition["kms:ViaService"] == f"s3.{spec.region}.amazonaws.com"
                assert condition["kms:EncryptionContext:aws:s3:arn"] == arn
                continue
            assert all(a.startswith("s3:") and "*" not in a for a in actions)
            assert set(resources) <= {arn, f"{arn}/*"}
        # Nobody else: no bucket policy allows any principal but the S3 logging service on the log bucket.
        for policy in r.of_type("aws:s3/bucketPolicy:BucketPolicy"):
            allows = [s for s in _statements(policy.inputs["policy"]) if s["Effect"] == "Allow"]
            assert all(s["Principal"] == {"Service": "logging.s3.amazonaws.com"} for s in allows)
            assert policy.inputs["bucket"] != data or allows == []
            assert any(s["Effect"] == "Deny" and s.get("Condition", {}).get("Bool") == {"aws:SecureTransport": "false"}
                       for s in _statements(policy.inputs["policy"]))


def test_aws_access_logs_land_in_the_tenants_log_bucket(rendered: dict[str, RenderedTenant]) -> None:
    for r in _of_cloud(rendered, "aws"):
        data = bucket_name(r.tenant_id, "aws")
        logging = _only(r.of_type("aws:s3/bucketLogging:BucketLogging"), "bucket logging")
        assert logging.inputs["bucket"] == data and logging.inputs["targetBucket"] != data
        # The logging service writes with the tenant key: the key policy lets it, for this account only.
        key = _only(r.of_type("aws:kms/key:Key"), "KMS key")
        logs = [s for s in _statements(key.inputs["policy"])
                if s.get("Principal") == {"Service": "logging.s3.amazonaws.com"}]
        assert logs and all("aws:SourceAccount" in s["Condition"]["StringEquals"] for s in logs)


# ------------------------------------------------------------------ Azure


def test_azure_account_uses_the_tenants_vault_key_through_its_own_identity(rendered: dict[str, RenderedTenant]) -> None:
    for r in _of_cloud(rendered, "azure"):
        account = _only([a for a in r.of_type("azure-native:storage:StorageAccount")
                         if a.inputs["accountName"] == bucket_name(r.tenant_id, "azure")], "storage account")
        key = _only(_deps(r, account, "encryption", "azure-native:keyvault:Key"), "Key Vault key")
        vault = _only(_deps(r, account, "encryption", "azure-native:keyvault:Vault"), "Key Vault")
        assert key.inputs["vaultName"] == vault.inputs["vaultName"]
        assert vault.inputs["location"] == r.tenant.spec.region  # the tenant's vault, not the geo-backup one
        encryption = account.inputs["encryption"]
        assert encryption["keySource"] == "Microsoft.Keyvault"
        assert encryption["keyVaultProperties"] == {
            "keyVaultUri": f"https://{vault.inputs['vaultName']}.vault.azure.net/",  # versionless: follows rotation
            "keyName": key.inputs["keyName"],
        }
        identity = _only(_deps(r, account, "encryption", "azure-native:managedidentity:UserAssignedIdentity"),
                         "encryption identity")
        wraps = [
            g for g in r.of_type("azure-native:authorization:RoleAssignment")
            if _deps(r, g, "principalId", "azure-native:managedidentity:UserAssignedIdentity") == [identity]
        ]
        assert [(_deps(r, g, "scope", "azure-native:keyvault:Vault"), g.inputs["roleDefinitionId"].rsplit("/", 1)[-1])
                for g in wraps] == [([vault], CRYPTO_SERVICE_ENCRYPTION_USER)]


def test_azure_blob_data_is_the_workload_identity_alone(rendered: dict[str, RenderedTenant]) -> None:
    for r in _of_cloud(rendered, "azure"):
        spec = r.tenant.spec
        account = _only([a for a in r.of_type("azure-native:storage:StorageAccount")
                         if a.inputs["accountName"] == bucket_name(r.tenant_id, "azure")], "storage account")
        workload = _only(_deps(r, _service_account(r), "metadata", "azure-native:managedidentity:UserAssignedIdentity"),
                         "workload identity of the ServiceAccount")
        federation = _only(r.of_type("azure-native:managedidentity:FederatedIdentityCredential"), "federation")
        assert _deps(r, federation, "resourceName", "azure-native:managedidentity:UserAssignedIdentity") == [workload]
        assert federation.inputs["subject"] == f"system:serviceaccount:{namespace_name(r.tenant_id)}:{spec.config.workload.name}"
        on_account = [g for g in r.of_type("azure-native:authorization:RoleAssignment")
                      if _deps(r, g, "scope", "azure-native:storage:StorageAccount") == [account]]
        grant = _only(on_account, "role assignment on the storage account")
        assert grant.inputs["roleDefinitionId"].endswith(f"/roleDefinitions/{STORAGE_BLOB_DATA_CONTRIBUTOR}")
        assert _deps(r, grant, "principalId", "azure-native:managedidentity:UserAssignedIdentity") == [workload]
        assert account.inputs["allowSharedKeyAccess"] is False  # no key can bypass the role assignment


def test_azure_account_is_private_and_expires_versions_after_the_specs_days(rendered: dict[str, RenderedTenant]) -> None:
    for r in _of_cloud(rendered, "azure"):
        account = _only([a for a in r.of_type("azure-native:storage:StorageAccount")
                         if a.inputs["accountName"] == bucket_name(r.tenant_id, "azure")], "storage account")
        assert account.inputs["publicNetworkAccess"] == "Disabled"
        assert account.inputs["location"] == r.tenant.spec.region
        endpoints = [e for e in r.of_type("azure-native:network:PrivateEndpoint")
                     if _deps(r, e, "privateLinkServiceConnections", "azure-native:storage:StorageAccount") == [account]]
        endpoint = _only(endpoints, "blob private endpoint")
        assert [c["groupIds"] for c in endpoint.inputs["privateLinkServiceConnections"]] == [["blob"]]
        # In the tenant's endpoint subnet when silo, the shared network's when pooled.
        subnet_from = {urn.rsplit("::", 1)[-1] for urn in endpoint.property_dependencies["subnet"]}
        if r.tenant.spec.silo:
            assert any(name.endswith("-endpoints") for name in subnet_from), subnet_from
        else:
            assert any(name.startswith("organization/") or "shared" in name for name in subnet_from), subnet_from
        policy = _only([p for p in r.of_type("azure-native:storage:ManagementPolicy")
                        if _deps(r, p, "accountName", "azure-native:storage:StorageAccount") == [account]], "lifecycle")
        (rule,) = policy.inputs["policy"]["rules"]
        assert rule["definition"]["actions"]["version"]["delete"]["daysAfterCreationGreaterThan"] == _noncurrent_days(r)


# ------------------------------------------------------------------ GCP


def test_gcp_bucket_uses_the_tenants_key_in_its_region(rendered: dict[str, RenderedTenant]) -> None:
    for r in _of_cloud(rendered, "gcp"):
        bucket = _only([b for b in r.of_type("gcp:storage/bucket:Bucket")
                        if b.inputs["name"] == bucket_name(r.tenant_id, "gcp")], "GCS bucket")
        key = _only(r.of_type("gcp:kms/cryptoKey:CryptoKey"), "Cloud KMS key")
        assert _deps(r, bucket, "encryption", "gcp:kms/cryptoKey:CryptoKey") == [key]
        assert bucket.inputs["location"].lower() == r.tenant.spec.region
        # Cloud Storage's service agent (service-<project number>@gs-project-accounts...) may use that key.
        agent = [g for g in r.of_type("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
                 if g.inputs["member"].endswith("@gs-project-accounts.iam.gserviceaccount.com")]
        grant = _only(agent, "key grant of the Cloud Storage service agent")
        assert _deps(r, grant, "cryptoKeyId", "gcp:kms/cryptoKey:CryptoKey") == [key]
        assert grant.inputs["role"] == "roles/cloudkms.cryptoKeyEncrypterDecrypter"
        assert grant.urn in bucket.dependencies  # the agent holds the key before the bucket names it
        rules = [x for x in bucket.inputs["lifecycleRules"] if x["action"]["type"] == "Delete"]
        assert [x["condition"]["daysSinceNoncurrentTime"] for x in rules] == [_noncurrent_days(r)]


def test_gcp_bucket_access_is_the_workload_service_account_alone(rendered: dict[str, RenderedTenant]) -> None:
    for r in _of_cloud(rendered, "gcp"):
        spec = r.tenant.spec
        bucket = _only([b for b in r.of_type("gcp:storage/bucket:Bucket")
                        if b.inputs["name"] == bucket_name(r.tenant_id, "gcp")], "GCS bucket")
        account = _only(_deps(r, _service_account(r), "metadata", "gcp:serviceaccount/account:Account"),
                        "Google service account of the ServiceAccount")
        impersonation = _only([m for m in r.of_type("gcp:serviceaccount/iAMMember:IAMMember")
                               if m.inputs["role"] == "roles/iam.workloadIdentityUser"], "workload identity binding")
        assert impersonation.inputs["member"].endswith(f"[{namespace_name(r.tenant_id)}/{spec.config.workload.name}]")
        assert _deps(r, impersonation, "serviceAccountId", "gcp:serviceaccount/account:Account") == [account]
        grants = [g for g in r.of_type("gcp:storage/bucketIAMMember:BucketIAMMember")
                  if _deps(r, g, "bucket", "gcp:storage/bucket:Bucket") == [bucket]]
        grant = _only(grants, "IAM grant on the bucket")
        assert _deps(r, grant, "member", "gcp:serviceaccount/account:Account") == [account]
        # Objects only: no role that administers the bucket or its IAM.
        assert grant.inputs["role"].startswith("roles/storage.object") and grant.inputs["role"] != "roles/storage.objectAdmin"
