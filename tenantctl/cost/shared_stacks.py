"""The shared regional clusters pooled tenants run on, rendered offline like a tenant (for their share of its cost)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tenantctl.render import RenderedResource, render_program
from tenantctl.stack_config import read_stack_file, stack_file


def shared_config(root: Path, stack: str, cloud: str, region: str) -> dict[str, str]:
    """The stack file's config when it exists, else what a shared-cluster stack needs (mode, cloud, region)."""
    path = stack_file(root, stack)
    values: dict[str, Any] = read_stack_file(path) if path.is_file() else {}
    values.setdefault("tenant-platform:mode", "shared-cluster")
    values.setdefault("tenant-platform:cloud", cloud)
    values.setdefault("tenant-platform:region", region)
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


def render_shared(root: Path, stack: str, cloud: str, region: str) -> list[RenderedResource]:
    return render_program(stack, shared_config(root, stack, cloud, region), [])
