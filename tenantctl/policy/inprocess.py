"""The pack's policies evaluated in this process: the offline default of ``tenantctl plan``.

The same policy objects the pack's program serves (``tenant_policies.catalog.POLICIES``, with the
pack's settings from ``tenant_policies/pack.py``), called the way the SDK's analyzer server calls
them, minus what it repeats per call:

- no protobuf in between: properties are decoded as the server decodes the request's ``Struct``
  (the client's JSON form, numbers as floats, secrets unwrapped by the SDK's own ``deserialize_properties``);
- a resource's properties are decoded once per ``Analyze``, not once per policy, and the stack's
  resources once per ``AnalyzeStack``, not once per stack policy;
- a resource policy whose type filter (``resource_policy(meta, types, ...)``) rejects the resource's
  type is not called (its ``validate`` would return at once);
- ``Configure`` applies the pack's own config guard (a critical policy never runs below mandatory).

What it gives up against ``--pack-transport grpc`` (which is what ``pulumi preview --policy-pack``
runs): the pack's own process and requirements (here it imports with tenantctl's environment), crash
and hang isolation, and the server's handling of any policy not built by ``resource_policy``/
``stack_policy`` is mirrored here rather than reused. ``tests/test_pack_transports.py`` proves both
give identical diagnostics on every example tenant and every inventory mutation.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from inspect import isawaitable
from pathlib import Path
from typing import Any

from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.policy import _NotApplicableError  # what ``args.not_applicable()`` raises
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from tenantctl.policy.catalog import PACK_DIR, import_pack
from tenantctl.policy.client import LEVELS, SEVERITIES, AnalyzedResource, Diagnostic, PackError, PackSession

_FROM_PROTO = {
    pb.ADVISORY: EnforcementLevel.ADVISORY,
    pb.MANDATORY: EnforcementLevel.MANDATORY,
    pb.REMEDIATE: EnforcementLevel.REMEDIATE,
    pb.DISABLED: EnforcementLevel.DISABLED,
}
_TO_PROTO = {v: k for k, v in _FROM_PROTO.items()}
_LEVEL_NAMES = {
    EnforcementLevel.ADVISORY: "advisory",
    EnforcementLevel.MANDATORY: "mandatory",
    EnforcementLevel.REMEDIATE: "remediate",
    EnforcementLevel.DISABLED: "disabled",
}
_SEVERITY_PROTO = {"low": 1, "medium": 2, "high": 3, "critical": 4}

Policy = ResourceValidationPolicy | StackValidationPolicy


def _decoded(value: Any) -> Any:
    """What the server decodes from the request's ``Struct``: the client's JSON form (``_jsonable``) with
    every number a float, as ``google.protobuf.Struct`` carries numbers (``3`` arrives as ``3.0``)."""
    if isinstance(value, Mapping):
        return {str(k): _decoded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_decoded(v) for v in value]
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    return str(value)


def _props(properties: Mapping[str, Any]) -> Any:
    return unknown_checking_proxy(deserialize_properties(_decoded(properties)))


def _options(resource: AnalyzedResource) -> PolicyResourceOptions:
    """The server's ``_get_resource_options`` for what the engine sends (no protect, timeouts or aliases offline)."""
    return PolicyResourceOptions(
        False, [], None, [], PolicyCustomTimeouts(0, 0, 0), list(resource.additional_secret_outputs), resource.parent or None
    )


def _provider(resource: AnalyzedResource) -> PolicyProviderResource | None:
    p = resource.provider
    return None if p is None else PolicyProviderResource(p.type, _props(p.properties), p.urn, p.name)


def _run(result: Any) -> None:
    if isawaitable(result):
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(asyncio.ensure_future(result, loop=loop))
        finally:
            loop.close()


class InProcessPack(PackSession):
    """The pack's policies behind the same session API as ``PackClient`` (configure, analyze, analyze_stack)."""

    transport = "inprocess"

    def __init__(self, pack_dir: Path = PACK_DIR) -> None:
        super().__init__()
        if pack_dir.resolve() != PACK_DIR:
            raise PackError(f"the in-process evaluator runs {PACK_DIR} only; use --pack-transport grpc for {pack_dir}")
        self._policies: list[Policy] = []
        self._default = EnforcementLevel.ADVISORY
        self._pack_name = ""
        self._pack_version = ""
        self._critical: frozenset[str] = frozenset()
        self._config: dict[str, dict[str, Any]] = {}
        self._levels: dict[str, EnforcementLevel] = {}
        self._filters: dict[str, Callable[[str], bool] | None] = {}
        self._by_type: dict[str, list[ResourceValidationPolicy]] = {}
        self._guard: Any = None
        self._normalize: Callable[[str], str] = str

    # ------------------------------------------------------------------ lifecycle (nothing to start or stop)

    def start(self) -> InProcessPack:
        import_pack()
        from tenant_policies import guard
        from tenant_policies.base import meta_of, normalize_type, type_filter_of
        from tenant_policies.catalog import POLICIES
        from tenant_policies.pack import PACK_OPTIONS, SDK_REPORTED_VERSION

        self._policies = list(POLICIES)
        self._default = PACK_OPTIONS.get("enforcement_level") or EnforcementLevel.ADVISORY
        self._pack_name = str(PACK_OPTIONS["name"])
        self._pack_version = SDK_REPORTED_VERSION
        self._critical = frozenset(meta_of(p).name for p in self._policies if meta_of(p).critical)
        self._filters = {p.name: type_filter_of(p) for p in self._policies}
        self._guard = guard
        self._normalize = normalize_type
        self.info = self._analyzer_info(PACK_OPTIONS)
        return self

    def close(self) -> None:
        pass

    def __enter__(self) -> InProcessPack:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()

    def _analyzer_info(self, options: dict[str, Any]) -> pb.AnalyzerInfo:
        """What the server's ``GetAnalyzerInfo`` reports about the policies (what ``reconcile`` reads)."""
        info = pb.AnalyzerInfo(name=self._pack_name, version=self._pack_version, supportsConfig=True)
        for policy in self._policies:
            item = pb.PolicyInfo(name=policy.name, description=policy.description)
            item.enforcementLevel = _TO_PROTO[policy.enforcement_level or self._default]
            if policy.config_schema is not None:
                if policy.config_schema.properties:
                    item.configSchema.properties.update(policy.config_schema.properties)
                if policy.config_schema.required:
                    item.configSchema.required.extend(policy.config_schema.required)
            resource = isinstance(policy, ResourceValidationPolicy)
            item.policy_type = pb.PolicyType.POLICY_TYPE_RESOURCE if resource else pb.PolicyType.POLICY_TYPE_STACK
            info.policies.append(item)
        return info

    # ------------------------------------------------------------------ protocol

    def configure(self, config: Mapping[str, Any] | None) -> None:
        reconciled = self.reconcile(config)
        request = pb.ConfigureAnalyzerRequest()  # levels only: what the pack's guard reads
        for name, (level, _) in reconciled.items():
            request.policyConfig[name].enforcementLevel = LEVELS[level]
        found = self._guard.lowered(request, self._critical)
        if found:
            raise PackError(self._guard.message(found))
        decoded: dict[str, dict[str, Any]] = {}  # many policies share one config: decode each once
        self._config, self._levels = {}, {}
        for name, (level, props) in reconciled.items():
            key = json.dumps(props, sort_keys=True, default=str)
            if key not in decoded:
                decoded[key] = _decoded(props)
            self._config[name] = decoded[key]
            self._levels[name] = _FROM_PROTO[LEVELS[level]]

    def _level(self, policy: Policy) -> EnforcementLevel:
        if policy.name in self._levels:
            return self._levels[policy.name]
        return policy.enforcement_level or self._default

    def _policy_config(self, name: str) -> dict[str, Any] | None:
        config = self._config.get(name)
        return config.copy() if config else None

    def _resource_policies(self, type_: str) -> list[ResourceValidationPolicy]:
        """The resource policies whose type filter accepts ``type_`` (every one without a filter), in pack order."""
        found = self._by_type.get(type_)
        if found is None:
            normalized = self._normalize(type_)
            found = [
                p for p in self._policies
                if isinstance(p, ResourceValidationPolicy)
                and ((check := self._filters.get(p.name)) is None or check(normalized))
            ]
            self._by_type[type_] = found
        return found

    def _reporter(self, out: list[Diagnostic], policy: Policy, level: EnforcementLevel) -> Callable[..., None]:
        severity = policy.severity.value if policy.severity is not None else "unspecified"
        shown = SEVERITIES[_SEVERITY_PROTO.get(severity, 0)]

        def report_violation(message: str, urn: str | None = None) -> None:
            if message and not isinstance(message, str):
                raise TypeError("Expected message to be a string")
            if urn is not None and not isinstance(urn, str):
                raise TypeError("Expected urn to be a string")
            # The client strips the description the server prepends, so the message is the policy's own.
            text = (message or "").lstrip("\n")
            out.append(Diagnostic(policy.name, _LEVEL_NAMES[level], shown, urn or "", text, policy.description))

        return report_violation

    def _unknown(self, out: list[Diagnostic], policy: Policy, error: UnknownValueError) -> None:
        out.append(
            Diagnostic(
                policy.name, "advisory", "unspecified", "",
                f"can't run policy '{policy.name}' from policy pack '{self._pack_name}@v{self._pack_version}' "
                f"during preview: {error.message}",
                policy.description,
            )
        )

    def analyze(self, resource: AnalyzedResource) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        props = opts = provider = None
        for policy in self._resource_policies(resource.type):
            level = self._level(policy)
            if level == EnforcementLevel.DISABLED or not policy.has_validation():
                continue  # a remediation-only policy is "not applicable", which carries no diagnostic
            if level == EnforcementLevel.REMEDIATE:
                level = EnforcementLevel.MANDATORY
            if props is None:  # decoded once, for the first policy that runs
                props, opts, provider = _props(resource.properties), _options(resource), _provider(resource)
            assert opts is not None
            args = ResourceValidationArgs(
                resource.type, props, resource.urn, resource.name, opts, provider, self._policy_config(policy.name), {}
            )
            try:
                _run(policy.validate(args, self._reporter(out, policy, level)))
            except UnknownValueError as error:
                self._unknown(out, policy, error)
            except _NotApplicableError:
                pass
        # As ``PackClient.analyze``: a diagnostic without a URN is about the analyzed resource.
        return [d if d.urn else replace(d, urn=resource.urn) for d in out]

    def _stack_resources(self, analyzed: Iterable[AnalyzedResource]) -> list[PolicyResource]:
        """The server's resources of ``AnalyzeStack`` with parents and dependencies linked, built once."""
        items = list(analyzed)
        resources = [
            PolicyResource(r.type, _props(r.properties), r.urn, r.name, _options(r), _provider(r), None, [], {})
            for r in items
        ]
        by_urn = {r.urn: r for r in resources}
        for resource, r in zip(resources, items, strict=True):
            if r.parent and r.parent in by_urn:
                resource.parent = by_urn[r.parent]
            resource.dependencies.extend(by_urn[d] for d in r.dependencies if d in by_urn)
            for key, urns in r.property_dependencies.items():
                resource.property_dependencies[key] = [by_urn[d] for d in urns if d in by_urn]
        return resources

    def analyze_stack(self, resources: Iterable[AnalyzedResource]) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        stack: list[PolicyResource] | None = None
        for policy in self._policies:
            level = self._level(policy)
            if level == EnforcementLevel.DISABLED or not isinstance(policy, StackValidationPolicy):
                continue
            if level == EnforcementLevel.REMEDIATE:
                level = EnforcementLevel.MANDATORY
            if stack is None:
                stack = self._stack_resources(resources)
            # The same decoded list for every stack policy, so the pack's helpers convert it once (base._LastView).
            args = StackValidationArgs(stack, self._policy_config(policy.name), {})
            try:
                _run(policy.validate(args, self._reporter(out, policy, level)))
            except UnknownValueError as error:
                self._unknown(out, policy, error)
            except _NotApplicableError:
                pass
        return out


def open_session(transport: str, pack_dir: Path = PACK_DIR) -> PackSession:
    """A started session: ``inprocess`` (this project's pack, in this process) or ``grpc`` (the pack's own process)."""
    if transport == "inprocess":
        return InProcessPack(pack_dir).start()
    if transport == "grpc":
        from tenantctl.policy.client import PackClient

        return PackClient(pack_dir).start()
    raise PackError(f"unknown pack transport {transport!r} (grpc or inprocess)")
