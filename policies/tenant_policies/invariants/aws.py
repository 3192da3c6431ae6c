"""Invariants of the AWS resources the components render (see the package docstring)."""

from __future__ import annotations

from . import Invariant, Unset

ROWS: list[Invariant] = [
    Invariant(
        "aws:rds/instance:Instance",
        "storageEncrypted",
        "true",
        "aws-rds-storage-encryption",
        (Unset("storageEncrypted"),),
        "database files and snapshots readable by anyone with the volume",
        ("CKV_AWS_16", "CIS AWS 2.3.1"),
    ),
    Invariant(
        "aws:rds/instance:Instance",
        "kmsKeyId",
        "the tenant's KMS key ARN",
        "aws-rds-storage-encryption",
        (Unset("kmsKeyId"),),
        "the AWS-managed key: no tenant-controlled revocation or crypto-shredding",
        ("CKV_AWS_16",),
    ),
]
