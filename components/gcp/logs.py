"""The tenant's log bucket: its cluster's control-plane (audit), system and workload logs, kept for ``metrics_retention``."""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_gcp as gcp

from components.gcp.common import Project, child


class LogBucketArgs(TypedDict):
    project: Project
    bucket_id: str
    retention_days: int
    filter: str  # which log entries the tenant's sink routes into the bucket
    kms_key_name: pulumi.Input[str]


class LogBucket(pulumi.ComponentResource):
    bucket: pulumi.Output[str]

    def __init__(self, name: str, args: LogBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:gcp:LogBucket", name, None, opts)
        proj = args["project"]
        bucket = gcp.logging.ProjectBucketConfig(
            f"{name}-bucket",
            project=proj.id,
            location=proj.region,
            bucket_id=args["bucket_id"],
            retention_days=args["retention_days"],
            # Audit and workload logs are tenant data: encrypted with the tenant's key (its logging agent is granted it).
            cmek_settings={"kms_key_name": args["kms_key_name"]},
            description="tenant-platform: cluster audit, system and workload logs",
            opts=child(self, proj.provider),
        )
        gcp.logging.ProjectSink(
            f"{name}-sink",
            name=args["bucket_id"],
            project=proj.id,
            destination=pulumi.Output.concat("logging.googleapis.com/", bucket.id),
            filter=args["filter"],
            unique_writer_identity=True,
            opts=child(self, proj.provider),
        )
        self.bucket = bucket.id
        self.register_outputs({"bucket": self.bucket})
