"""Rules across tenant files and stack files: a stack deploys exactly its own tenant, and no two tenants
claim the same id, stack or namespace.

One tenant file is checked by ``spec``; what only shows across files is checked here, before
``validate`` or ``plan`` renders anything. Every problem is ``path:line: field: message`` (exit 2).
Database, cache and bucket names are derived from the tenant id (``physical_name``: the id, a
suffix and, when cut to a service's limit, a hash of the whole id), so unique ids give unique
names; the namespace is checked explicitly because it is what pooled tenants share a cluster by.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from components.naming import namespace_name, shared_cluster_stack
from spec.errors import SpecError, SpecErrors
from spec.loader import TenantFile, line_of
from spec.safe_yaml import load_document, require_mapping
from tenantctl.policy.pack_config import shown_path, waiver_errors
from tenantctl.stack_config import NS, stack_file

PROJECT = "tenant-platform"


def identity(tenant_id: str) -> str:
    """How ids compare: case-insensitively after Unicode NFKC (``Acme`` and ``ａｃｍｅ`` are ``acme``)."""
    return unicodedata.normalize("NFKC", tenant_id).casefold()


def duplicate_errors(tenants: list[TenantFile]) -> list[SpecError]:
    """Two files with one tenant id (or one namespace) would render into one stack and mix their reports."""
    errors: list[SpecError] = []
    claims: dict[tuple[str, str], TenantFile] = {}
    for tenant in tenants:
        spec = tenant.spec
        for kind, value in (("tenant id", identity(spec.tenant_id)), ("namespace", namespace_name(identity(spec.tenant_id)))):
            first = claims.setdefault((kind, value), tenant)
            if first is not tenant:
                errors.append(
                    SpecError(
                        shown_path(tenant),
                        tenant.line_of(("tenant_id",)),
                        "tenant_id",
                        f"{kind} {value!r} is already claimed by {shown_path(first)}: every tenant needs its own",
                    )
                )
                break
    return errors


def stack_errors(tenant: TenantFile, root: Path) -> list[SpecError]:
    """The tenant's stack file may not point the stack anywhere but at the tenant itself."""
    spec = tenant.spec
    path = stack_file(root, spec.tenant_id)
    if not path.exists():
        return []
    shown = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    try:  # the same bounded loader as every other stack-file read: a hostile file is an input error here too
        source = require_mapping(load_document(path, shown, "stack files"), shown, "a stack file")
    except SpecErrors as exc:
        return list(exc.errors)
    config: Any = source.get("config")
    if not isinstance(config, CommentedMap):
        return []
    errors = []

    def error(key: str, message: str) -> None:
        # Field names carry no colon (the line is ``path:line: field: message``): the key as stack-file errors spell it.
        errors.append(SpecError(shown, line_of(source, ("config", f"{NS}:{key}")), f"config.{NS}.{key}", message))

    own = f"tenants/{spec.tenant_id}.yaml"
    expected = shared_cluster_stack(spec.cloud, spec.region)
    tenant_file = config.get(f"{NS}:tenantFile")
    if tenant_file is not None and str(tenant_file) != own:
        error("tenantFile", f"stack {spec.tenant_id!r} deploys only {own}, not {tenant_file!r}")
    if config.get(f"{NS}:mode") not in (None, "tenant"):
        error("mode", f"a tenant stack is mode tenant; shared-cluster stacks are named {expected!r}")
    shared = config.get(f"{NS}:sharedClusterStack")
    if shared is not None:
        parts = str(shared).split("/")
        if not (parts == [expected] or (len(parts) == 3 and parts[1] == PROJECT and parts[2] == expected and parts[0])):
            error(
                "sharedClusterStack",
                f"must be the shared cluster of the tenant's own cloud and region ({expected} or <org>/{PROJECT}/{expected}), "
                f"not {shared!r}",
            )
    return errors


def trust_errors(tenants: list[TenantFile], root: Path, today: dt.date | None = None) -> list[SpecError]:
    """Every cross-file problem ``validate`` and ``plan`` refuse: waivers, duplicate tenants, stack files."""
    errors = [e for t in tenants for e in waiver_errors(t, today)]
    errors += duplicate_errors(tenants)
    errors += [e for t in tenants for e in stack_errors(t, root)]
    return errors
