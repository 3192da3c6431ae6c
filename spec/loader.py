"""Safe YAML loading with line numbers, tier merging and clean errors.

Tenant files are data, not programs: duplicate keys, anchors and aliases (the
"billion laughs" vector) and oversized files are refused before anything is
validated. Every problem becomes a ``SpecError`` that points at a line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from spec.base import FieldError
from spec.errors import SpecError, SpecErrors
from spec.models import TENANT_ADAPTER, AnyTenant
from spec.safe_yaml import MAX_BYTES, load_document, plain, require_mapping
from spec.tiers import CLOUDS, TIERS, deep_merge, tier_defaults

__all__ = ["MAX_BYTES", "TenantFile", "line_of", "load_tenant", "load_tenants", "tenant_paths"]
CLOUD_BLOCKS = {"aws", "azure", "gcp"}


@dataclass(frozen=True)
class TenantFile:
    """A validated tenant and the YAML it came from (for line numbers in reports)."""

    path: Path
    spec: AnyTenant
    source: CommentedMap

    def line_of(self, loc: tuple[str | int, ...]) -> int:
        return line_of(self.source, loc)


def line_of(root: Any, loc: tuple[str | int, ...]) -> int:
    """1-based line of the deepest key of ``loc`` that exists in the document."""
    node, line = root, 1
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            break
    return line


def _parse(path: Path, shown: str) -> CommentedMap:
    return require_mapping(load_document(path, shown), shown, "a tenant file")


def _with_tier_defaults(raw: dict[str, Any]) -> dict[str, Any]:
    tier = raw.get("tier") if raw.get("tier") in TIERS else "standard"  # a bad tier is reported once, by itself
    cloud = raw.get("cloud") if raw.get("cloud") in CLOUDS else None
    config = raw.get("tenant_config", {})
    if config is None:
        config = {}
    if not isinstance(config, dict):
        return raw
    return {**raw, "tenant_config": deep_merge(tier_defaults(str(tier), cloud), _expand_shorthands(config))}


def _expand_shorthands(config: dict[str, Any]) -> dict[str, Any]:
    """``performance.circuit_breaker: true`` (the original boolean key) means the tier's breaker, on or off."""
    performance = config.get("performance")
    if isinstance(performance, dict) and isinstance(performance.get("circuit_breaker"), bool):
        performance = {**performance, "circuit_breaker": {"enabled": performance["circuit_breaker"]}}
        return {**config, "performance": performance}
    return config


def _field(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in loc)


def _errors(exc: ValidationError, raw: dict[str, Any], source: CommentedMap, shown: str) -> list[SpecError]:
    out: list[SpecError] = []
    cloud = raw.get("cloud")
    for err in exc.errors(include_url=False):
        loc: tuple[str | int, ...] = tuple(err["loc"])
        if loc and loc[0] == cloud and cloud in CLOUDS:
            loc = loc[1:]  # the discriminated union's tag is not part of the file
        message = err["msg"]
        kind = err["type"]
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, FieldError):
            loc, message = loc + cause.loc, cause.message
        elif kind == "union_tag_invalid":
            loc, message = ("cloud",), f"must be one of {', '.join(CLOUDS)}, not {raw.get('cloud')!r}"
        elif kind == "union_tag_not_found":
            loc, message = ("cloud",), "required (one of aws, azure, gcp)"
        elif kind == "extra_forbidden" and len(loc) == 2 and loc[0] == "tenant_config" and loc[1] in CLOUD_BLOCKS:
            message = f"knobs for {loc[1]} are not allowed: this tenant's cloud is {cloud}"
        elif kind == "extra_forbidden":
            message = "unknown key"
        elif kind == "missing":
            message = "required"
        elif message.startswith("Value error, "):
            message = message[len("Value error, "):]
        if len(message) > 300:  # a message quoting a 4 KiB value helps nobody and floods CI logs
            message = message[:297] + "..."
        out.append(SpecError(shown, line_of(source, loc), _field(loc), message))
    return out


def load_tenant(path: Path, shown: str | None = None) -> TenantFile:
    """Load, merge and validate one tenant file, or raise ``SpecErrors``."""
    shown = shown or str(path)
    source = _parse(path, shown)
    raw = plain(source)
    try:
        # The tenant id lets the message about old-style waivers say which waiver file they now go to.
        tenant_id = raw.get("tenant_id") if isinstance(raw.get("tenant_id"), str) else None
        spec = TENANT_ADAPTER.validate_python(_with_tier_defaults(raw), context={"tenant_id": tenant_id})
    except ValidationError as exc:
        raise SpecErrors(_errors(exc, raw, source, shown)) from None
    if spec.tenant_id != path.stem:
        raise SpecErrors(
            [SpecError(shown, line_of(source, ("tenant_id",)), "tenant_id", f"must equal the file name ({path.stem!r})")]
        )
    return TenantFile(path=path, spec=spec, source=source)


def tenant_paths(paths: list[Path]) -> list[Path]:
    """Files as given; folders expanded to their ``*.yaml`` files, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.glob("*.yaml") if p.is_file()))
        else:
            found.append(path)
    return found


def load_tenants(paths: list[Path], root: Path | None = None) -> list[TenantFile]:
    """Load every tenant; collect the errors of all files before raising."""
    tenants: list[TenantFile] = []
    errors: list[SpecError] = []
    for path in tenant_paths(paths):
        shown = _shown(path, root)
        if not path.exists():
            errors.append(SpecError(shown, 1, "", "no such file or folder"))
            continue
        try:
            tenants.append(load_tenant(path, shown))
        except SpecErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise SpecErrors(errors)
    return tenants


def _shown(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)
