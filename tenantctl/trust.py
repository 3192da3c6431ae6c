"""Rules across tenant files and stack files: a stack deploys exactly its own tenant, and no two tenants
claim the same id, stack, namespace, database, cache, bucket, ingress host or pooled data address.

One tenant file is checked by ``spec``; what only shows across files is checked here, before
``validate`` or ``plan`` renders anything. Every problem is ``path:line: field: message`` (exit 2).
The names compared are the ones the components derive (``components/naming.py``: the id, a suffix and,
when cut to a service's limit, a hash of the whole id), compared case-insensitively after Unicode NFKC.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from components.data_addresses import data_addresses, slot_count
from components.kubernetes.addons.contract import DEFAULT_INGRESS_DOMAIN
from components.naming import bucket_name, cache_name, database_name, namespace_name, shared_cluster_stack
from spec.errors import SpecError, SpecErrors
from spec.loader import TenantFile, line_of
from spec.models import AnyTenant
from spec.safe_yaml import load_document, require_mapping
from tenantctl.policy.pack_config import shown_path, waiver_errors
from tenantctl.stack_config import NS, read_stack_file, stack_file

PROJECT = "tenant-platform"


def identity(tenant_id: str) -> str:
    """How ids compare: case-insensitively after Unicode NFKC (``Acme`` and ``ａｃｍｅ`` are ``acme``)."""
    return unicodedata.normalize("NFKC", tenant_id).casefold()


def _stack_values(tenant: TenantFile, root: Path | None) -> dict[str, Any]:
    """The tenant's stack config, or nothing (a bad stack file is reported by ``stack_errors``)."""
    path = stack_file(root, tenant.spec.tenant_id) if root is not None else None
    try:
        return read_stack_file(path) if path is not None and path.exists() else {}
    except SpecErrors:
        return {}


def _data_slot(values: dict[str, Any]) -> int | None:
    slot = values.get(f"{NS}:dataAddressSlot")
    return slot if isinstance(slot, int) and not isinstance(slot, bool) and 0 <= slot < slot_count() else None


def _pooled_azure(spec: AnyTenant) -> bool:
    return bool(spec.cloud == "azure" and spec.isolation == "standard")


def _derived_names(spec: AnyTenant, slot: int | None) -> list[tuple[str, str]]:
    """(kind, name) of everything named after the tenant id, as the components name it."""
    tenant, cloud = identity(spec.tenant_id), spec.cloud
    names = [
        ("tenant id", tenant),
        ("namespace", namespace_name(tenant)),
        (f"{cloud} database name", identity(database_name(tenant, cloud))),
        (f"{cloud} cache name", identity(cache_name(tenant, cloud))),
        (f"{cloud} bucket name", identity(bucket_name(tenant, cloud))),
    ]
    if _pooled_azure(spec):
        # One shared VNet per region: two pooled tenants there must not be given one private-endpoint address.
        pair = data_addresses(spec.tenant_id, slot)
        names.append((f"pooled data address pair in the shared {spec.region} VNet", f"{pair.database}+{pair.cache}"))
    return names


def duplicate_errors(tenants: list[TenantFile], root: Path | None = None) -> list[SpecError]:
    """Two files with one tenant id would render into one stack and mix their reports; two tenants with one
    namespace, database, cache or bucket name (or private-endpoint address) would fight over one resource.

    ``root``: the project whose ``stacks/`` may give a pooled Azure tenant another address pair.
    """
    errors: list[SpecError] = []
    claims: dict[tuple[str, str], TenantFile] = {}
    slots = {id(t): _data_slot(_stack_values(t, root)) for t in tenants}
    taken: dict[str, set[int]] = {}  # region -> address pairs of its pooled Azure tenants
    for tenant in tenants:
        if _pooled_azure(tenant.spec):
            taken.setdefault(tenant.spec.region, set()).add(data_addresses(tenant.spec.tenant_id, slots[id(tenant)]).slot)
    for tenant in tenants:
        for kind, value in _derived_names(tenant.spec, slots[id(tenant)]):
            pooled = kind.startswith("pooled data")
            first = claims.setdefault((kind, (tenant.spec.region if pooled else "") + value), tenant)
            if first is not tenant:
                message = f"{kind} {value!r} is already claimed by {shown_path(first)}: every tenant needs its own"
                if pooled:
                    free = next(n for n in range(slot_count()) if n not in taken[tenant.spec.region])
                    message = (
                        f"{kind} {value.replace('+', ' and ')} is already claimed by {shown_path(first)}: give the tenant "
                        f"not yet deployed another pair with {NS}:dataAddressSlot in its stack file (free: {free})"
                    )
                errors.append(SpecError(shown_path(tenant), tenant.line_of(("tenant_id",)), "tenant_id", message))
                break  # one derived clash per file: the rest follow from it
    return errors


def ingress_domain(tenant: TenantFile, root: Path) -> str:
    """The parent domain of the tenant's default host: its stack's ``ingressDomain``, else the platform's."""
    domain = _stack_values(tenant, root).get(f"{NS}:ingressDomain")
    return str(domain) if isinstance(domain, str) and domain else DEFAULT_INGRESS_DOMAIN


def _host(name: str) -> str:
    return identity(name).rstrip(".")


def host_errors(tenants: list[TenantFile], root: Path) -> list[SpecError]:
    """No two tenants route one host name: neither two listed hosts nor a listed host and another's default
    host ``<tenant_id>.<ingress domain>`` (which every tenant keeps, listed hosts or not)."""
    errors: list[SpecError] = []
    defaults: dict[str, TenantFile] = {}
    for tenant in tenants:
        defaults.setdefault(_host(f"{tenant.spec.tenant_id}.{ingress_domain(tenant, root)}"), tenant)
    listed: dict[str, TenantFile] = {}
    for tenant in tenants:
        ingress = getattr(tenant.spec.tenant_config, "ingress", None)
        for index, name in enumerate(getattr(ingress, "hostnames", None) or []):
            host = _host(name)
            owner = defaults.get(host)
            first = listed.setdefault(host, tenant)
            if owner is not None and owner is not tenant:
                message = f"host name {host!r} is the default host of {shown_path(owner)}"
            elif first is not tenant:
                message = f"host name {host!r} is already claimed by {shown_path(first)}"
            else:
                continue
            errors.append(
                SpecError(
                    shown_path(tenant),
                    tenant.line_of(("tenant_config", "ingress", "hostnames", index)),
                    f"tenant_config.ingress.hostnames.{index}",
                    f"{message}: every host routes to one tenant",
                )
            )
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
    slot = config.get(f"{NS}:dataAddressSlot")
    if slot is not None and not _pooled_azure(spec):
        error("dataAddressSlot", "only a pooled Azure tenant has a data address pair to choose")
    elif slot is not None and _data_slot({f"{NS}:dataAddressSlot": slot}) is None:
        error("dataAddressSlot", f"must be a whole number from 0 to {slot_count() - 1}, not {slot!r}")
    return errors


def trust_errors(tenants: list[TenantFile], root: Path, today: dt.date | None = None) -> list[SpecError]:
    """Every cross-file problem ``validate`` and ``plan`` refuse: waivers, duplicate tenants and names, shared
    host names, stack files."""
    errors = [e for t in tenants for e in waiver_errors(t, today)]
    errors += duplicate_errors(tenants, root)
    errors += host_errors(tenants, root)
    errors += [e for t in tenants for e in stack_errors(t, root)]
    return errors
