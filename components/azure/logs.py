"""The Log Analytics workspace: control-plane, audit, network and data-service logs, kept for ``metrics_retention``."""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_azure_native as azure

from components.azure.common import child


class LogWorkspaceArgs(TypedDict):
    resource_group_name: pulumi.Input[str]
    location: str
    retention_days: int
    tags: dict[str, str]


class LogWorkspace(pulumi.ComponentResource):
    workspace_id: pulumi.Output[str]

    def __init__(self, name: str, args: LogWorkspaceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenant-platform:azure:LogWorkspace", name, None, opts)
        workspace = azure.operationalinsights.Workspace(
            f"{name}-workspace",
            resource_group_name=args["resource_group_name"],
            location=args["location"],
            sku={"name": "PerGB2018"},
            retention_in_days=args["retention_days"],
            # Entra ID only: no shared workspace keys for ingestion or queries.
            features={"disable_local_auth": True, "enable_log_access_using_only_resource_permissions": True},
            tags=args["tags"],
            opts=child(self),
        )
        self.workspace_id = workspace.id
        self.register_outputs({"workspaceId": self.workspace_id})
