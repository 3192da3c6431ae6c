"""The invariant inventory as documents: ``policies/INVARIANTS.md``, the coverage table, the uncovered list.

Everything is generated from the pack's own data: the rows of ``tenant_policies.invariants`` (what the
components hard-code and which policy proves it) and each policy's ``Meta`` (severity, GDPR / SOC 2 /
ISO 27001 controls) through ``tenantctl.policy.catalog``. Nothing here is written by hand but the
Checkov reference counts, which are cited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tenantctl.policy.catalog import PACK_DIR, PolicyEntry, by_name, import_pack, policies

if TYPE_CHECKING:
    from tenant_policies.invariants import Edit, Invariant
    from tenant_policies.invariants.not_invariants import NotInvariant

    from tenantctl.render import RenderedResource

INVENTORY_FILE = PACK_DIR / "INVARIANTS.md"
AREAS = (("kubernetes", "Kubernetes"), ("aws", "AWS"), ("azure", "Azure"), ("gcp", "GCP"), ("platform", "Platform"))


def rows() -> list[Invariant]:
    import_pack()
    from tenant_policies.invariants import rows as inventory

    return inventory()


def not_invariants() -> list[NotInvariant]:
    import_pack()
    from tenant_policies.invariants.not_invariants import NOT_INVARIANTS

    return list(NOT_INVARIANTS)


def _area(type_: str) -> str:
    prefix = type_.split(":", 1)[0]
    return {"azure-native": "azure"}.get(prefix, prefix if prefix in {"aws", "gcp", "kubernetes"} else "platform")


# --------------------------------------------------------------------------- Checkov reference counts


@dataclass(frozen=True)
class Service:
    cloud: str
    name: str
    prefixes: tuple[str, ...]  # this pack's policy names for the service start with one of these
    checkov: int  # Checkov's checks for the same service (see CHECKOV_SOURCE)
    checkov_types: str  # the resource types those checks are registered for


CHECKOV_VERSION = "3.3.30"
CHECKOV_SOURCE = (
    f"Checkov {CHECKOV_VERSION} (PyPI `checkov`, the registry its Policy Index pages are generated from): "
    "Terraform resource checks (`checkov/terraform/checks/resource/`, graph checks not counted) whose "
    "`supported_resources` include the listed resource types, counted by check id; Kubernetes: every check "
    "under `checkov/kubernetes/checks/resource/`."
)
SERVICES: tuple[Service, ...] = (
    Service("AWS", "RDS", ("aws-rds-",), 29, "aws_db_*, aws_rds_*"),
    Service("AWS", "EKS", ("aws-eks-",), 6, "aws_eks_*"),
    Service(
        "AWS",
        "EC2 / VPC",
        ("aws-ec2-", "aws-vpc-"),
        20,
        "aws_instance, aws_launch_template, aws_launch_configuration, aws_ebs_*, aws_security_group*, "
        "aws_default_security_group, aws_vpc*, aws_subnet, aws_network_acl*, aws_flow_log, aws_eip, aws_ami*",
    ),
    Service("AWS", "KMS", ("aws-kms-",), 3, "aws_kms_*"),
    Service("AWS", "ElastiCache", ("aws-elasticache-",), 8, "aws_elasticache_*"),
    Service("Azure", "AKS", ("azure-aks-",), 19, "azurerm_kubernetes_*"),
    Service("Azure", "Key Vault", ("azure-keyvault-",), 9, "azurerm_key_vault*"),
    Service("Azure", "PostgreSQL", ("azure-postgresql-",), 12, "azurerm_postgresql_*"),
    Service("Azure", "Redis", ("azure-redis-",), 4, "azurerm_redis_*, azurerm_managed_redis*"),
    Service("GCP", "GKE", ("gcp-gke-",), 24, "google_container_*"),
    Service("GCP", "Cloud SQL", ("gcp-sql-", "gcp-cloudsql-"), 19, "google_sql_*"),
    Service("GCP", "Memorystore", ("gcp-redis-", "gcp-memorystore-"), 2, "google_redis_*"),
    Service("Kubernetes", "workloads, RBAC, namespaces", ("kubernetes-",), 113, "every Kubernetes kind"),
)


def _of_service(service: Service, entries: Iterable[PolicyEntry]) -> list[PolicyEntry]:
    return [p for p in entries if p.name.startswith(service.prefixes)]


def coverage_markdown() -> str:
    """Per service: this pack's policies (mandatory of them) and inventory rows beside Checkov's check count."""
    entries = list(policies())
    inventory = rows()
    lines = [
        "| cloud | service | this pack: policies | of them mandatory | invariant rows | Checkov checks |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for service in SERVICES:
        mine = _of_service(service, entries)
        names = {p.name for p in mine}
        lines.append(
            f"| {service.cloud} | {service.name} | {len(mine)} | {sum(p.mandatory for p in mine)} "
            f"| {sum(r.policy in names for r in inventory)} | {service.checkov} |"
        )
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the inventory document


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def describe(edit: Edit) -> str:
    """An edit as a reader sees it: ``set x = false``, ``unset x``, ``drop the resource``."""
    import json

    kind = type(edit).__name__
    if kind == "Set":
        return f"set `{edit.path}` = `{json.dumps(edit.value)}`"  # type: ignore[union-attr]
    if kind == "Unset":
        return f"unset `{edit.path}`"  # type: ignore[union-attr]
    return "drop the resource"


def _controls(entry: PolicyEntry | None, framework: str) -> str:
    if entry is None:
        return ""
    return ", ".join(tag.split(":", 1)[1] for tag in entry.frameworks if tag.startswith(f"{framework}:"))


def inventory_markdown() -> str:
    """``policies/INVARIANTS.md``: every row by area, the policies no row proves yet, what is not an invariant."""
    catalog = by_name()
    inventory = rows()
    out = [
        "# Invariant inventory",
        "",
        "<!-- Generated by `tenantctl invariants --write` from policies/tenant_policies/invariants/ and the",
        "     policies' metadata; `tenantctl invariants --check` (and the tests) fail when it is stale. -->",
        "",
        "Every secure setting the components hard-code, one row each: the resource type and property (engine",
        "camelCase names, `*` for every list element), the secure value, the mandatory policy that refuses",
        "anything else, and the single insecure edit `tests/test_invariant_mutations.py` applies to every",
        "rendered example tenant and shared-cluster stack the row applies to (the pack must report a new",
        "mandatory violation of exactly that policy). Severity and the GDPR / SOC 2 / ISO/IEC 27001:2022",
        "controls are the policy's own metadata.",
        "",
        f"{len(inventory)} rows, {len({r.policy for r in inventory})} policies.",
    ]
    for area, title in AREAS:
        mine = [r for r in inventory if _area(r.type) == area]
        if not mine:
            continue
        out += [
            "",
            f"## {title}",
            "",
            "| resource type | property | secure value | policy | severity | insecure edit tested | benchmarks "
            "| GDPR | SOC 2 | ISO 27001 | if weakened |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in mine:
            entry = catalog.get(r.policy)
            out.append(
                "| "
                + " | ".join(
                    [
                        _code(r.type),
                        _code(r.path),
                        _cell(r.secure),
                        _code(r.policy),
                        entry.severity if entry else "**no such policy**",
                        "; ".join(describe(e) for e in r.edits),
                        _cell(", ".join(r.benchmarks)),
                        _controls(entry, "gdpr"),
                        _controls(entry, "soc2"),
                        _controls(entry, "iso27001"),
                        _cell(r.why),
                    ]
                )
                + " |"
            )
    proven = {r.policy for r in inventory}
    unproven = [p for p in policies() if p.mandatory and p.name not in proven]
    out += [
        "",
        "## Mandatory policies without a row",
        "",
        "Policies that check something other than a hard-coded setting (tags, residency, alerting, scaling",
        "bounds from the tenant file), or whose row is still to be written.",
        "",
    ]
    out += [f"- `{p.name}` ({p.severity}): {_cell(p.description)}" for p in unproven] or ["None."]
    out += [
        "",
        "## Not invariants",
        "",
        "Security-looking properties the components set that are not a secure default a policy must hold",
        "(`policies/tenant_policies/invariants/not_invariants.py`; the completeness test reads it).",
        "",
        "| resource type | property | why it is not an invariant |",
        "|---|---|---|",
    ]
    out += [f"| {_code(n.type)} | {_code(n.path)} | {_cell(n.why)} |" for n in not_invariants()]
    out += ["", "## Coverage beside Checkov", "", coverage_markdown().rstrip("\n"), "", f"Source: {CHECKOV_SOURCE}"]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- completeness

# Path fragments (matched case-insensitively on the engine path) that make a property security-relevant.
SECURITY_PATTERNS: tuple[str, ...] = (
    r"encrypt",
    r"kms",
    r"cmk",
    r"customermanagedkey",
    r"keyvault",
    r"keyid",
    r"keyname",
    r"keyuri",
    r"keysource",
    r"\btls",
    r"tlsversion",
    r"ssl",
    r"secure",
    r"transit",
    r"certificate",
    r"public",
    r"private",
    r"authorized",
    r"firewall",
    r"cidr",
    r"sourceranges",
    r"ingress",
    r"ipranges",
    r"iprules",
    r"networkacls",
    r"networkpolicy",
    r"networkrule",
    r"defaultaction",
    r"privileged",
    r"capabilit",
    r"runasnonroot",
    r"runasuser",
    r"seccomp",
    r"readonly",
    r"hostnetwork",
    r"hostpid",
    r"hostipc",
    r"hostpath",
    r"hostport",
    r"allowprivilegeescalation",
    r"automountserviceaccounttoken",
    r"httptokens",
    r"httpputresponsehoplimit",
    r"httpendpoint",
    r"imds",
    r"metadataoptions",
    r"workloadmetadata",
    r"backup",
    r"pointintime",
    r"deletionprotection",
    r"purge",
    r"softdelete",
    r"retention",
    r"rbac",
    r"localaccount",
    r"disablelocal",
    r"aadprofile",
    r"legacyabac",
    r"masterauth",
    r"basicauth",
    r"authenabled",
    r"authtoken",
    r"accesskeys",
    r"clientprotocol",
    r"shielded",
    r"secureboot",
    r"integritymonitoring",
    r"logging",
    r"audit",
    r"flowlog",
    r"diagnostic",
    r"rotation",
    r"workloadidentity",
    r"binaryauthorization",
    r"\.verbs",
    r"\.apigroups",
    r"rules\.\*\.resources",
    r"roleref",
    r"subjects",
    r"pod-security\\\.kubernetes\\\.io",
)
_SECURITY = re.compile("|".join(SECURITY_PATTERNS), re.IGNORECASE)
_WORLD = ("0.0.0.0/0", "::/0")
# Subtrees that only name, describe or label a resource (the tenant tag policies cover tags and labels).
_IGNORED = re.compile(
    r"(^|\.)(tags|labels|userLabels|resourceLabels|annotations|description|displayName)(\.|$)"
    r"|^metadata\.(name|namespace)$"
)
_PSA = re.compile(r"pod-security\\\.kubernetes\\\.io", re.IGNORECASE)


def _escape(key: str) -> str:
    return key.replace(".", "\\.")


def leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) of every leaf; list elements as ``*``, a list of scalars is one leaf, dots in keys escaped."""
    if isinstance(value, Mapping):
        if not value and prefix:
            yield prefix, value
        for key, item in value.items():
            yield from leaves(item, f"{prefix}.{_escape(str(key))}" if prefix else _escape(str(key)))
    elif isinstance(value, list) and any(isinstance(v, (Mapping, list)) for v in value):
        for item in value:
            yield from leaves(item, f"{prefix}.*")
    else:
        yield prefix, value


def normalize(type_: str) -> str:
    """The pack's type normalisation (Azure API version stripped), as rows name types."""
    import_pack()
    from tenant_policies.base import normalize_type

    return normalize_type(type_)


def security_relevant(path: str, value: Any) -> bool:
    if _IGNORED.search(path) and not _PSA.search(path):
        return False
    text = str(value)
    return bool(_SECURITY.search(path)) or any(w in text for w in _WORLD)


def _normal(path: str) -> str:
    return re.sub(r"(?<=\.)\d+(?=\.|$)|^\d+(?=\.)", "*", path)


def covers(row_path: str, path: str) -> bool:
    """A row covers its property and everything under it (a row on ``securityContext`` covers its fields)."""
    row_path = _normal(row_path).removesuffix(".*")
    return path == row_path or path.startswith(row_path + ".") or path.removesuffix(".*") == row_path


def allowed(entry: NotInvariant, type_: str, path: str) -> bool:
    from fnmatch import fnmatchcase

    return fnmatchcase(type_, entry.type) and (fnmatchcase(path, entry.path) or covers(entry.path, path))


@dataclass(frozen=True)
class Uncovered:
    type: str
    path: str
    value: Any
    where: str  # first stack and resource seen with it


def uncovered(stacks: Iterable[tuple[str, Iterable[RenderedResource]]]) -> list[Uncovered]:
    """Security-relevant (type, path) pairs rendered somewhere that no row applying to the resource covers."""
    inventory = rows()
    allow = not_invariants()
    found: dict[tuple[str, str], Uncovered] = {}
    for stack, resources in stacks:
        for resource in resources:
            if not resource.custom:
                continue
            type_ = normalize(resource.type)
            props = resource.public_inputs()
            mine = [r for r in inventory if r.applies_to(type_, props)]
            for path, value in leaves(props):
                if not path or not security_relevant(path, value):
                    continue
                if any(covers(r.path, path) for r in mine) or any(allowed(n, type_, path) for n in allow):
                    continue
                found.setdefault((type_, path), Uncovered(type_, path, value, f"{stack}: {resource.name}"))
    return sorted(found.values(), key=lambda u: (u.type, u.path))


def uncovered_markdown(items: list[Uncovered]) -> str:
    lines = ["| resource type | property | rendered value | first seen |", "|---|---|---|---|"]
    for u in items:
        value = str(u.value)
        lines.append(f"| `{u.type}` | `{u.path}` | {_cell(value[:60])} | {_cell(u.where)} |")
    return "\n".join(lines) + "\n"


def rendered_estate(root: Path) -> list[tuple[str, list[RenderedResource]]]:
    """Every example tenant and every shared-cluster stack, rendered under the mocks."""
    from spec.loader import load_tenant
    from tenantctl.render import render_shared_cluster, render_tenant, shared_cluster_files

    out: list[tuple[str, list[RenderedResource]]] = []
    for path in sorted((root / "tenants").glob("*.yaml")):
        rendered = render_tenant(load_tenant(path), root)
        out.append((rendered.tenant_id, rendered.resources))
    for path in shared_cluster_files(root):
        shared = render_shared_cluster(path)
        out.append((shared.stack, shared.resources))
    return out
