"""The tenant's Cloud KMS key ring and key, and the service agents allowed to use the key."""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_gcp as gcp

from components.gcp.common import ENCRYPTER_DECRYPTER, Project, child

ROTATION_PERIOD = "7776000s"  # 90 days


class TenantKeyArgs(TypedDict):
    project: Project
    ring_name: str
    # Service-agent domains (``service-<n>@<domain>.iam.gserviceaccount.com``) that encrypt with the key.
    agents: list[str]
    # Further members (e.g. ``ServiceIdentity`` emails) that encrypt with the key.
    members: list[pulumi.Input[str]]
    labels: dict[str, str]


class TenantKey(pulumi.ComponentResource):
    key_id: pulumi.Output[str]
    grants: list[pulumi.Resource]

    def __init__(self, name: str, args: TenantKeyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:gcp:TenantKey", name, None, opts)
        proj = args["project"]
        ring = gcp.kms.KeyRing(
            f"{name}-ring", name=args["ring_name"], location=proj.region, project=proj.id,
            opts=child(self, proj.provider),
        )
        key = gcp.kms.CryptoKey(
            f"{name}-key",
            name="tenant-key",
            key_ring=ring.id,
            purpose="ENCRYPT_DECRYPT",
            # AES-256-GCM in an HSM: key material never leaves it.
            version_template={"algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION", "protection_level": "HSM"},
            rotation_period=ROTATION_PERIOD,  # a new primary version every 90 days
            destroy_scheduled_duration="2592000s",  # 30 days to cancel a version's destruction
            labels=args["labels"],
            opts=child(self, proj.provider, protect=False),
        )
        members: list[pulumi.Input[str]] = [proj.agent(domain) for domain in args["agents"]] + list(args["members"])
        # Least privilege: each service agent may encrypt and decrypt with this key alone, nothing else.
        self.grants = [
            gcp.kms.CryptoKeyIAMMember(
                f"{name}-use-{index}", crypto_key_id=key.id, role=ENCRYPTER_DECRYPTER, member=member,
                opts=child(self, proj.provider),
            )
            for index, member in enumerate(members)
        ]
        self.key_id = key.id
        self.register_outputs({"keyId": self.key_id})
