"""What every policy shares: metadata, the tenant context, property access and the two policy factories.

Policies read ``args.props`` by the providers' engine (camelCase) names. A property
that is absent means the provider's default, and where that default is the
insecure choice the policy fails: a component must state the secure value.

The pack learns which tenant it is looking at from its config (written per stack
by ``tenantctl``) and, when run without a config file, from the resource's own
tenant tags or labels. It never imports the tenant schema: it runs in its own
virtualenv with only ``requirements.txt`` installed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
    proxy,
)
from pulumi_policy.policy import PolicyResource

TIERS = ("free", "standard", "premium", "enterprise")
FRAMEWORKS = ("gdpr", "soc2", "iso27001")
FRAMEWORK_TITLES = {
    "gdpr": "GDPR (Regulation (EU) 2016/679)",
    "soc2": "SOC 2 Trust Services Criteria (2017, rev. 2022)",
    "iso27001": "ISO/IEC 27001:2022 Annex A",
}
K8S_LABEL_PREFIX = "tenant-platform.io/"
WORLD = ("0.0.0.0/0", "::/0", "*", "Internet", "any")

# Context keys every policy accepts in its config (``tenantctl`` writes them per stack).
CONTEXT_SCHEMA: dict[str, dict[str, Any]] = {
    "tenant": {"type": "string", "description": "Tenant id of the stack."},
    "tier": {"type": "string", "enum": list(TIERS), "description": "Tier of the tenant."},
    "isolation": {"type": "string", "enum": ["strict", "standard"], "description": "Isolation level."},
    "frameworks": {
        "type": "array",
        "items": {"type": "string", "enum": list(FRAMEWORKS)},
        "description": "Compliance frameworks in force for the tenant.",
    },
    "region": {"type": "string", "description": "The tenant's region in its cloud's naming."},
}


def string_list(default: Any, description: str) -> dict[str, Any]:
    """A policy config setting that is a list of strings (registries, roles, tiers, addresses, ...)."""
    return {"type": "array", "items": {"type": "string"}, "default": default, "description": description}


@dataclass(frozen=True)
class Controls:
    """A policy's compliance mapping."""

    gdpr: tuple[str, ...] = ()
    soc2: tuple[str, ...] = ()
    iso27001: tuple[str, ...] = ()

    def tags(self) -> list[str]:
        out: list[str] = []
        for framework, refs in (("gdpr", self.gdpr), ("soc2", self.soc2), ("iso27001", self.iso27001)):
            if refs:
                out.append(framework)
                out.extend(f"{framework}:{ref}" for ref in refs)
        return out


@dataclass(frozen=True)
class Meta:
    """Everything a policy says about itself besides its check."""

    name: str
    description: str
    severity: Severity
    remediation: str
    controls: Controls
    category: str
    mandatory: bool = True
    config: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    # Critical policies (encryption at rest, public exposure, privileged workloads, tenant tagging,
    # cross-tenant references) can never be waived: no exception turns them down.
    critical: bool = False

    def __post_init__(self) -> None:
        if not self.description.startswith("Checks that"):
            raise ValueError(f"{self.name}: a description starts with 'Checks that'")
        if not re.fullmatch(r"(aws|azure|gcp|kubernetes|platform)-[a-z0-9]+-[a-z0-9-]+", self.name):
            raise ValueError(f"{self.name}: a policy name is <cloud>-<service>-<what>")

    def kwargs(self) -> dict[str, Any]:
        iso = self.controls.iso27001
        return {
            "name": self.name,
            "description": self.description,
            "enforcement_level": EnforcementLevel.MANDATORY if self.mandatory else EnforcementLevel.ADVISORY,
            "config_schema": PolicyConfigSchema(properties={**CONTEXT_SCHEMA, **self.config}),
            "severity": self.severity,
            "framework": PolicyComplianceFramework(
                name="iso27001",
                version="2022",
                reference=", ".join(iso),
                specification=FRAMEWORK_TITLES["iso27001"],
            ),
            "tags": [self.category, *self.controls.tags()],
            "remediation_steps": self.remediation,
        }


# --------------------------------------------------------------------------- property access


class _Unknown:
    """A value the engine cannot know during preview; it will be computed, so it counts as set."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = _Unknown()


def plain(value: Any) -> Any:
    """The SDK's unknown-checking proxies → plain dicts and lists, unknowns → ``UNKNOWN``."""
    if isinstance(value, str):
        return UNKNOWN if value in _UNKNOWN_SENTINELS else value
    if isinstance(value, Mapping):
        raw = value["__target"] if type(value).__name__ == "_DictProxy" else value
        return {str(k): plain(v) for k, v in raw.items()}
    if isinstance(value, Sequence):
        raw = value["__target"] if type(value).__name__ == "_ListProxy" else value  # type: ignore[call-overload]
        return [plain(v) for v in raw]
    return value


def get(value: Any, *path: str | int) -> Any:
    """``props["a"]["b"][0]`` or ``None`` when any step is missing."""
    for part in path:
        if isinstance(part, int):
            if not isinstance(value, list) or not -len(value) <= part < len(value):
                return None
            value = value[part]
        else:
            if not isinstance(value, Mapping) or part not in value:
                return None
            value = value[part]
    return value


def truthy(value: Any) -> bool:
    """Booleans and the string forms some schemas use (``encrypted: "true"``); unknown counts as true."""
    if value is UNKNOWN:
        return True
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value is True


def explicit_false(value: Any) -> bool:
    """False as a boolean or in its string form; absent or unknown is not false."""
    if isinstance(value, str):
        return value.strip().lower() == "false"
    return value is False


def same_enum(value: Any, expected: str) -> bool:
    """Enum values compare case-insensitively: the engine passes what the program wrote."""
    return isinstance(value, str) and value.strip().lower() == expected.lower()


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    if value is UNKNOWN:
        return []
    return [value]


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def is_set(value: Any) -> bool:
    """Present and not empty (an unknown value will be computed, so it is set)."""
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, (list, dict)):
        return bool(value)
    return value is not None


@lru_cache(maxsize=4096)
def normalize_type(type_: str) -> str:
    """``azure-native:dbforpostgresql/v20240801:Server`` → ``azure-native:dbforpostgresql:Server``."""
    return re.sub(r"^(azure-native:[a-z0-9]+)/v[0-9a-z]+:", r"\1:", type_)


def cloud_of(type_: str) -> str:
    prefix = type_.split(":", 1)[0]
    return {"aws": "aws", "azure-native": "azure", "gcp": "gcp", "kubernetes": "kubernetes"}.get(prefix, "other")


# --------------------------------------------------------------------------- tenant context

_UNKNOWN_SENTINELS = frozenset(
    {
        proxy.UNKNOWN_BOOLEAN_VALUE,
        proxy.UNKNOWN_NUMBER_VALUE,
        proxy.UNKNOWN_STRING_VALUE,
        proxy.UNKNOWN_ARRAY_VALUE,
        proxy.UNKNOWN_ASSET_VALUE,
        proxy.UNKNOWN_ARCHIVE_VALUE,
        proxy.UNKNOWN_OBJECT_VALUE,
    }
)
_DATA = Path(__file__).resolve().parent / "data"


def _load_types(cloud: str) -> frozenset[str]:
    lines = (_DATA / f"taggable-{cloud}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


GCP_USER_LABELS = frozenset({"gcp:monitoring/notificationChannel:NotificationChannel", "gcp:monitoring/alertPolicy:AlertPolicy"})
TAGGABLE: dict[str, frozenset[str]] = {
    "aws": _load_types("aws"),
    "azure": _load_types("azure"),
    # GKE clusters and Cloud SQL carry their labels under other names (see ``tags_of``).
    "gcp": _load_types("gcp") | GCP_USER_LABELS | {"gcp:container/cluster:Cluster", "gcp:sql/databaseInstance:DatabaseInstance"},
}


def tags_of(type_: str, props: Mapping[str, Any]) -> dict[str, str] | None:
    """The resource's tags/labels by the platform's short keys (``tenant``, ``tier``, ...), or None."""
    cloud = cloud_of(type_)
    raw: Any
    if cloud == "kubernetes":
        raw = get(props, "metadata", "labels")
        if not isinstance(raw, Mapping):
            return None
        return {k[len(K8S_LABEL_PREFIX) :]: str(v) for k, v in raw.items() if k.startswith(K8S_LABEL_PREFIX)}
    if type_ == "gcp:container/cluster:Cluster":
        raw = props.get("resourceLabels")
    elif type_ == "gcp:sql/databaseInstance:DatabaseInstance":
        raw = get(props, "settings", "userLabels")
    elif type_ in GCP_USER_LABELS:  # their ``labels`` configure the channel; resource labels are userLabels
        raw = props.get("userLabels")
    elif cloud == "gcp":
        raw = props.get("labels")
    else:
        raw = props.get("tags")
    if not isinstance(raw, Mapping):
        return None
    return {str(k): str(v) for k, v in raw.items()}


@dataclass(frozen=True)
class Context:
    """Who the resource belongs to: from the policy config, else from its own tags."""

    tenant: str | None
    tier: str | None
    isolation: str | None
    frameworks: tuple[str, ...]
    region: str | None
    config: Mapping[str, Any]
    resource_type: str = ""
    provider: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, config: Mapping[str, Any] | None, tags: Mapping[str, str] | None) -> Context:
        config = dict(config or {})
        tags = tags or {}
        if "frameworks" in config:
            frameworks = tuple(str(f) for f in config.get("frameworks") or [])
        else:
            frameworks = tuple(f for f in re.split(r"[+_,\s]+", tags.get("compliance", "")) if f in FRAMEWORKS)
        return cls(
            tenant=config.get("tenant") or tags.get("tenant"),
            tier=config.get("tier") or tags.get("tier"),
            isolation=config.get("isolation") or tags.get("isolation"),
            frameworks=frameworks,
            region=config.get("region"),
            config=config,
        )

    def setting(self, key: str, default: Any) -> Any:
        value = self.config.get(key)
        return default if value is None else value

    def by_tier(self, key: str, default: Mapping[str, Any]) -> Any:
        """A tier threshold; ``None`` when the tier is unknown (the policy then does not apply)."""
        if self.tier is None:
            return None
        table = self.setting(key, default)
        return table.get(self.tier) if isinstance(table, Mapping) else None


Check = Callable[[Mapping[str, Any], Context], Iterable[str]]


@dataclass(frozen=True)
class Resource:
    """A stack policy's view of one resource: plain props, its own type and its dependencies' URNs."""

    type: str
    urn: str
    name: str
    props: dict[str, Any]
    parent: str | None
    dependencies: tuple[str, ...]

    @classmethod
    def of(cls, resource: PolicyResource) -> Resource:
        deps = [d.urn for d in resource.dependencies]
        for extra in resource.property_dependencies.values():
            deps.extend(d.urn for d in extra)
        return cls(
            normalize_type(resource.resource_type),
            resource.urn,
            resource.name,
            plain(resource.props),
            resource.parent.urn if resource.parent is not None else None,
            tuple(dict.fromkeys(deps)),
        )


StackCheck = Callable[[Sequence[Resource], Context], Iterable[tuple[str, str | None]]]


class _LastView:
    """The last conversion, by identity of what was converted (a strong reference, so an id is never reused).

    The SDK's server decodes a resource afresh for every policy, so nothing repeats there; an evaluator that
    hands every policy the same decoded objects (``tenantctl``'s in-process one) converts them once.
    """

    def __init__(self, convert: Callable[[Any], Any]) -> None:
        self._convert = convert
        self._last: tuple[Any, Any] = (None, None)

    def __call__(self, value: Any) -> Any:
        last = self._last  # one read: concurrent server threads see a consistent pair
        if last[0] is value and value is not None:
            return last[1]
        result = self._convert(value)
        self._last = (value, result)
        return result


_props_view = _LastView(plain)
_provider_view = _LastView(plain)
_stack_view = _LastView(lambda resources: [Resource.of(r) for r in resources])


def resource_policy(meta: Meta, types: Iterable[str] | Callable[[str], bool], check: Check) -> ResourceValidationPolicy:
    """A policy over single resources of ``types``: ``check`` yields what must be true and is not."""
    matches = types if callable(types) else frozenset(types).__contains__

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        type_ = normalize_type(args.resource_type)
        if not matches(type_):
            return
        props = _props_view(args.props)
        ctx = replace(
            Context.of(args.get_config(), tags_of(type_, props)),
            resource_type=type_,
            provider=_provider_view(args.provider.props) if args.provider is not None else {},
        )
        for message in check(props, ctx):
            report_violation(message, None)

    policy = ResourceValidationPolicy(validate=validate, **meta.kwargs())
    policy.meta = meta  # type: ignore[attr-defined]
    # The type filter, so an evaluator may skip the call for a resource it rejects (``validate`` returns at once then).
    policy.applies_to_type = matches  # type: ignore[attr-defined]
    return policy


def stack_policy(meta: Meta, check: StackCheck) -> StackValidationPolicy:
    """A policy over the whole stack: ``check`` yields (message, urn) pairs."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        resources = list(_stack_view(args.resources))
        tags: dict[str, str] = {}
        for resource in resources:
            found = tags_of(resource.type, resource.props)
            if found and found.get("tenant"):
                tags = found
                break
        ctx = Context.of(args.get_config(), tags)
        for message, urn in check(resources, ctx):
            report_violation(message, urn)

    policy = StackValidationPolicy(validate=validate, **meta.kwargs())
    policy.meta = meta  # type: ignore[attr-defined]
    return policy


def segregation_meta(
    name: str, description: str, remediation: str, config: dict[str, Any] | None = None, *, critical: bool = False
) -> Meta:
    """A Kubernetes isolation policy (namespace fences, RBAC): segregation controls, critical ones at critical severity."""
    return Meta(
        name,
        description,
        Severity.CRITICAL if critical else Severity.HIGH,
        remediation,
        SEGREGATION,
        "isolation",
        True,
        dict(config or {}),
        critical,
    )


def meta_of(policy: ResourceValidationPolicy | StackValidationPolicy) -> Meta:
    return policy.meta  # type: ignore[union-attr, no-any-return]


def type_filter_of(policy: ResourceValidationPolicy | StackValidationPolicy) -> Callable[[str], bool] | None:
    """The resource policy's filter over normalized types (``normalize_type``), or None (it sees every resource)."""
    return getattr(policy, "applies_to_type", None)


# Controls used by many policies (GDPR articles, SOC 2 criteria, ISO/IEC 27001:2022 Annex A).
ENCRYPTION = Controls(gdpr=("Art.32(1)(a)",), soc2=("CC6.1", "CC6.7"), iso27001=("A.8.24",))
KEY_MANAGEMENT = Controls(gdpr=("Art.32(1)(a)",), soc2=("CC6.1",), iso27001=("A.8.24",))
TRANSIT = Controls(gdpr=("Art.32(1)(a)",), soc2=("CC6.7",), iso27001=("A.8.20", "A.8.24"))
NETWORK = Controls(gdpr=("Art.25", "Art.32(1)(b)"), soc2=("CC6.1", "CC6.6"), iso27001=("A.8.20", "A.8.22"))
SEGREGATION = Controls(gdpr=("Art.25", "Art.32(1)(b)"), soc2=("CC6.1", "CC6.3"), iso27001=("A.8.22", "A.5.15"))
INVENTORY = Controls(gdpr=("Art.30",), soc2=("CC6.1",), iso27001=("A.5.9", "A.5.12"))
AUDIT = Controls(gdpr=("Art.30", "Art.33"), soc2=("CC7.2",), iso27001=("A.8.15",))
RETENTION = Controls(gdpr=("Art.5(1)(e)", "Art.30"), soc2=("CC7.2",), iso27001=("A.8.15", "A.5.28"))
ALERTING = Controls(gdpr=("Art.33",), soc2=("CC7.3", "CC7.4"), iso27001=("A.8.16", "A.5.25"))
BACKUP = Controls(gdpr=("Art.32(1)(c)",), soc2=("A1.2",), iso27001=("A.8.13",))
AVAILABILITY = Controls(gdpr=("Art.32(1)(b)",), soc2=("A1.2",), iso27001=("A.8.14", "A.5.30"))
CAPACITY = Controls(soc2=("A1.1",), iso27001=("A.8.6",))
RESIDENCY = Controls(gdpr=("Art.44", "Art.45"), soc2=("C1.1",), iso27001=("A.5.34", "A.5.31"))
