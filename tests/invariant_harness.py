"""Mutation testing over the rendered estate, as a security reviewer would do it.

Render every example tenant under the mocks, weaken one input of one rendered resource
(an inventory row's edit), send the resource, or the stack holding it, to the policy pack
over gRPC exactly as ``tenantctl plan`` does, and report the mandatory violations the edit
added. A row is proven when its own policy is among them on every tenant it applies to.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from spec.loader import load_tenant
from tenantctl.policy.catalog import by_name, import_pack
from tenantctl.policy.client import AnalyzedResource, Diagnostic, PackClient
from tenantctl.policy.enforce import shared_pack_config, to_analyzed
from tenantctl.policy.pack_config import pack_config_for
from tenantctl.render import RenderedStack, RenderedTenant, render_shared_cluster, render_tenant, shared_cluster_files

import_pack()

from tenant_policies.base import normalize_type  # noqa: E402
from tenant_policies.invariants import Drop, Edit, Invariant, Set, Unset  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 1, 15)


@dataclass(frozen=True)
class Target:
    """One rendered stack as the engine would send it: pack config, every resource, which are custom."""

    name: str
    config: Mapping[str, Any]
    resources: tuple[AnalyzedResource, ...]
    custom: frozenset[str]  # URNs of custom resources (the ones ``Analyze`` sees)
    shared: bool = False  # a shared-cluster stack rather than a tenant's


def _target(rendered: RenderedTenant) -> Target:
    return Target(
        rendered.tenant_id,
        pack_config_for(rendered.tenant, TODAY),
        tuple(to_analyzed(rendered)),
        frozenset(r.urn for r in rendered.resources if r.custom),
    )


def _shared_target(rendered: RenderedStack) -> Target:
    return Target(
        rendered.stack,
        shared_pack_config(rendered),
        tuple(to_analyzed(rendered)),
        frozenset(r.urn for r in rendered.resources if r.custom),
        shared=True,
    )


@cache
def rendered_tenants() -> tuple[RenderedTenant, ...]:
    return tuple(render_tenant(load_tenant(path), ROOT) for path in sorted((ROOT / "tenants").glob("*.yaml")))


@cache
def rendered_shared() -> tuple[RenderedStack, ...]:
    return tuple(render_shared_cluster(path) for path in shared_cluster_files(ROOT))


@cache
def targets() -> tuple[Target, ...]:
    """Every example tenant and every shared-cluster stack, rendered once per process."""
    return tuple(_target(r) for r in rendered_tenants()) + tuple(_shared_target(s) for s in rendered_shared())


def _split(path: str) -> list[str]:
    """Dotted path → parts; ``\\.`` is a literal dot inside a key (``metadata.labels.pod-security\\.kubernetes\\.io/enforce``)."""
    return [part.replace("\\.", ".") for part in re.split(r"(?<!\\)\.", path) if part]


def _set(node: Any, parts: list[str], value: Any) -> None:
    head, rest = parts[0], parts[1:]
    if head == "*":
        for item in node if isinstance(node, list) else []:
            _set(item, rest, value) if rest else None
        if not rest and isinstance(node, list):
            node[:] = [copy.deepcopy(value) for _ in node]
        return
    if isinstance(node, list):
        index = int(head)
        if rest:
            _set(node[index], rest, value)
        else:
            node[index] = copy.deepcopy(value)
        return
    if rest:
        if not isinstance(node.get(head), (dict, list)):
            node[head] = [] if rest[0] == "*" or rest[0].isdigit() else {}
        _set(node[head], rest, value)
    else:
        node[head] = copy.deepcopy(value)


def _unset(node: Any, parts: list[str]) -> None:
    head, rest = parts[0], parts[1:]
    children: list[Any]
    if head == "*":
        children = node if isinstance(node, list) else []
    elif isinstance(node, list):
        children = [node[int(head)]] if -len(node) <= int(head) < len(node) else []
    elif isinstance(node, dict) and head in node:
        if not rest:
            del node[head]
            return
        children = [node[head]]
    else:
        children = []
    if not rest:
        if head == "*" and isinstance(node, list):
            node.clear()
        elif isinstance(node, list) and children:
            del node[int(head)]
        return
    for child in children:
        _unset(child, rest)


def apply(edits: tuple[Edit, ...], props: Mapping[str, Any]) -> dict[str, Any] | None:
    """The props after the edits, or None when the resource is dropped."""
    out = copy.deepcopy(dict(props))
    for edit in edits:
        if isinstance(edit, Drop):
            return None
        if isinstance(edit, Set):
            _set(out, _split(edit.path), edit.value)
        elif isinstance(edit, Unset):
            _unset(out, _split(edit.path))
    return out


def applicable(row: Invariant, target: Target) -> list[AnalyzedResource]:
    return [r for r in target.resources if row.applies_to(normalize_type(r.type), _plain(r.properties))]


def _plain(props: Mapping[str, Any]) -> Mapping[str, Any]:
    return props


def _key(d: Diagnostic) -> tuple[str, str, str]:
    return (d.policy, d.urn, d.message)


def _mandatory(found: list[Diagnostic], policy: str) -> set[tuple[str, str, str]]:
    return {_key(d) for d in found if d.policy == policy and d.level == "mandatory"}


def checked_resources(row: Invariant, target: Target) -> list[AnalyzedResource]:
    """The resources of ``target`` the row is proven on: custom ones for resource policies (``Analyze``
    sees only those), any for stack policies (``AnalyzeStack`` sees every registration)."""
    stack = by_name()[row.policy].stack
    return [r for r in applicable(row, target) if stack or r.urn in target.custom]


@dataclass
class Prover:
    """One pack process for every row: configure once per target, baselines once per target and resource."""

    client: PackClient
    _configured: str | None = None
    _stack_baseline: dict[str, list[Diagnostic]] = field(default_factory=dict)
    _resource_baseline: dict[tuple[str, str], list[Diagnostic]] = field(default_factory=dict)
    analyses: int = 0  # gRPC Analyze / AnalyzeStack calls made
    seconds: float = 0.0

    def _use(self, target: Target) -> None:
        if self._configured != target.name:
            self.client.configure(target.config)
            self._configured = target.name

    def new_violations(self, row: Invariant, target: Target, resource: AnalyzedResource) -> set[tuple[str, str, str]]:
        """The mandatory violations of ``row.policy`` that weakening ``resource`` adds to ``target``."""
        began = time.perf_counter()
        self._use(target)
        mutated_props = apply(row.edits, resource.properties)
        if by_name()[row.policy].stack:
            if target.name not in self._stack_baseline:
                self._stack_baseline[target.name] = self.client.analyze_stack(list(target.resources))
                self.analyses += 1
            before = self._stack_baseline[target.name]
            after_resources = [
                r if r.urn != resource.urn else replace(r, properties=mutated_props)
                for r in target.resources
                if not (r.urn == resource.urn and mutated_props is None)
            ]
            after = self.client.analyze_stack(after_resources)
        else:
            assert mutated_props is not None, f"{row.id}: Drop is for stack policies"
            key = (target.name, resource.urn)
            if key not in self._resource_baseline:
                self._resource_baseline[key] = self.client.analyze(resource)
                self.analyses += 1
            before = self._resource_baseline[key]
            after = self.client.analyze(replace(resource, properties=mutated_props))
        self.analyses += 1
        self.seconds += time.perf_counter() - began
        return _mandatory(after, row.policy) - _mandatory(before, row.policy)

    def prove(self, rows: Iterable[Invariant]) -> dict[str, Proof]:
        """Every row on every target it applies to, target by target (one ``Configure`` per target)."""
        selected = list(rows)
        proofs = {row.id: Proof(row) for row in selected}
        for target in targets():
            for row in selected:
                for resource in checked_resources(row, target):
                    proof = proofs[row.id]
                    proof.checked.append(f"{target.name}: {resource.urn}")
                    if not self.new_violations(row, target, resource):
                        proof.missed.append(f"{target.name}: {resource.urn}")
        return proofs


@dataclass
class Proof:
    row: Invariant
    checked: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)


def new_violations(client: PackClient, row: Invariant, target: Target, resource: AnalyzedResource) -> set[tuple[str, str, str]]:
    """One row on one resource with a fresh ``Configure`` (kept for single checks; the tests use ``Prover``)."""
    return Prover(client).new_violations(row, target, resource)
