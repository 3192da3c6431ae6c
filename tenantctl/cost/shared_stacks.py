"""The shared regional clusters pooled tenants run on, rendered offline like a tenant (for their share of its cost)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pulumi
from ruamel.yaml import YAML

from components import program
from tenantctl.mocks import EstateMocks
from tenantctl.render import PROJECT, RecordingMonitor, RenderedResource
from tenantctl.stack_config import stack_file


def shared_config(root: Path, stack: str, cloud: str, region: str) -> dict[str, str]:
    """The stack file's config when it exists, else what a shared-cluster stack needs (mode, cloud, region)."""
    path = stack_file(root, stack)
    values: dict[str, Any] = {}
    if path.is_file():
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
        config = data.get("config") if isinstance(data, dict) else None
        values = dict(config) if isinstance(config, dict) else {}
    values.setdefault("tenant-platform:mode", "shared-cluster")
    values.setdefault("tenant-platform:cloud", cloud)
    values.setdefault("tenant-platform:region", region)
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


def render_shared(root: Path, stack: str, cloud: str, region: str) -> list[RenderedResource]:
    mocks = EstateMocks(stack)
    monitor = RecordingMonitor(mocks)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        pulumi.runtime.reset_options(project=PROJECT, stack=stack, preview=False)
        pulumi.runtime.set_all_config(shared_config(root, stack, cloud, region), [])
        pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
        pulumi.runtime.test(program.run)()
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    return sorted(monitor.recorded, key=lambda r: r.urn)
