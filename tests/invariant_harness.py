"""Mutation testing over the rendered estate, as a security reviewer would do it.

Render every example tenant under the mocks, weaken one input of one rendered resource
(an inventory row's edit), send the resource, or the stack holding it, to the policy pack
over gRPC exactly as ``tenantctl plan`` does, and report the mandatory violations the edit
added. A row is proven when its own policy is among them on every tenant it applies to.
"""

from __future__ import annotations

import copy
import re
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from spec.loader import load_tenant
from tenantctl.policy.catalog import by_name, import_pack
from tenantctl.policy.client import AnalyzedResource, Diagnostic, PackClient
from tenantctl.policy.enforce import to_analyzed
from tenantctl.policy.pack_config import pack_config_for
from tenantctl.render import RenderedTenant, render_tenant

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


def _target(rendered: RenderedTenant) -> Target:
    return Target(
        rendered.tenant_id,
        pack_config_for(rendered.tenant, TODAY),
        tuple(to_analyzed(rendered)),
        frozenset(r.urn for r in rendered.resources if r.custom),
    )


@cache
def targets() -> tuple[Target, ...]:
    """Every example tenant, rendered once per process."""
    return tuple(_target(render_tenant(load_tenant(path), ROOT)) for path in sorted((ROOT / "tenants").glob("*.yaml")))


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


def new_violations(client: PackClient, row: Invariant, target: Target, resource: AnalyzedResource) -> set[tuple[str, str, str]]:
    """The mandatory violations of ``row.policy`` that weakening ``resource`` adds to ``target``."""
    client.configure(target.config)
    mutated_props = apply(row.edits, resource.properties)
    if by_name()[row.policy].stack:
        before = client.analyze_stack(list(target.resources))
        after_resources = [
            r if r.urn != resource.urn else replace(r, properties=mutated_props)
            for r in target.resources
            if not (r.urn == resource.urn and mutated_props is None)
        ]
        after = client.analyze_stack(after_resources)
    else:
        assert mutated_props is not None, f"{row.id}: Drop is for stack policies"
        before = client.analyze(resource)
        after = client.analyze(replace(resource, properties=mutated_props))
    return _mandatory(after, row.policy) - _mandatory(before, row.policy)
