"""The tenant's object storage (S3 bucket, Azure Storage account, GCS bucket)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from spec.base import TIER_DEFAULTED, StrictModel


class ObjectStorage(StrictModel):
    model_config = TIER_DEFAULTED
    # Encryption with the tenant key, no public access, TLS only and versioning are invariants, not keys here.
    noncurrent_version_days: Annotated[
        int, Field(ge=1, le=3650, description="Days a replaced or deleted object version is kept before it expires.")
    ]
