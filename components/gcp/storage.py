"""The tenant's GCS bucket: CMEK with the tenant key, IAM only, never public, versioned, in the tenant's region.

The bucket sits in the tenant's own region (a regional location, never a multi-region: residency), is
encrypted by default with the tenant's Cloud KMS key (the project's Cloud Storage service agent may use
that key and no other principal is added for it), takes no ACLs (uniform bucket-level access) and refuses
any public grant (public access prevention enforced). Only the tenant workload's Google service account,
through workload identity, holds a role on it: object read/write/delete, nothing on the bucket's settings.
"""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_gcp as gcp

from components.gcp.common import ENCRYPTER_DECRYPTER, Project, child, sa_member

# Objects only (read, create, overwrite, delete, list); no bucket settings, IAM or ACLs.
WORKLOAD_ROLE = "roles/storage.objectUser"


class ObjectStorageArgs(TypedDict):
    project: Project
    bucket_name: str  # components.naming.bucket_name: checked for fleet-wide collisions
    key_id: pulumi.Input[str]
    workload_member: pulumi.Input[str]  # ``serviceAccount:<email>`` of the workload's Google service account
    noncurrent_version_days: int  # tenant_config.object_storage.noncurrent_version_days
    labels: dict[str, str]


class ObjectStorage(pulumi.ComponentResource):
    bucket_name: pulumi.Output[str]
    bucket_url: pulumi.Output[str]

    def __init__(self, name: str, args: ObjectStorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:gcp:ObjectStorage", name, None, opts)
        proj = args["project"]
        # Reading the Cloud Storage service agent also creates it if the project has none yet.
        agent = gcp.storage.get_project_service_account_output(
            project=proj.id, opts=pulumi.InvokeOutputOptions(provider=proj.provider, parent=self)
        )
        grant = gcp.kms.CryptoKeyIAMMember(
            f"{name}-agent-key",
            crypto_key_id=args["key_id"],
            role=ENCRYPTER_DECRYPTER,
            member=agent.email_address.apply(sa_member),
            opts=child(self, proj.provider),
        )
        bucket = gcp.storage.Bucket(
            f"{name}-bucket",
            name=args["bucket_name"],
            project=proj.id,
            location=proj.region.upper(),
            storage_class="STANDARD",
            encryption={"default_kms_key_name": args["key_id"]},
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            versioning={"enabled": True},
            lifecycle_rules=[
                {
                    # Overwritten and deleted objects stay recoverable for the tier's days, then go.
                    "action": {"type": "Delete"},
                    "condition": {"days_since_noncurrent_time": args["noncurrent_version_days"],
                                  "with_state": "ARCHIVED"},
                },
                {
                    # Incomplete multipart uploads are invisible storage; they go after a week.
                    "action": {"type": "AbortIncompleteMultipartUpload"},
                    "condition": {"age": 7},
                },
            ],
            force_destroy=False,
            labels=args["labels"],
            # The service agent must hold the key before the bucket names it as its default.
            opts=child(self, proj.provider, depends_on=[grant]),
        )
        # Least privilege: objects of this bucket only, for the workload's service account only.
        gcp.storage.BucketIAMMember(
            f"{name}-workload-objects",
            bucket=bucket.name,
            role=WORKLOAD_ROLE,
            member=args["workload_member"],
            opts=child(self, proj.provider),
        )

        self.bucket_name = bucket.name
        self.bucket_url = bucket.url
        self.register_outputs({"bucketName": self.bucket_name})
