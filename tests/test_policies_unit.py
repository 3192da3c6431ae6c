"""Every policy: its compliant baseline passes and one mutation fails with the exact message.

Policies are called directly through their ``validate`` with fake args; no pack is started.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import ResourceValidationArgs, StackValidationArgs
from pulumi_policy.policy import PolicyResource, PolicyResourceOptions
from ruamel.yaml import YAML

from tenantctl.policy.catalog import import_pack

import_pack()

from tenant_policies.base import meta_of  # noqa: E402
from tenant_policies.catalog import POLICIES  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "policy"
CONTEXT = {
    "tenant": "t1",
    "tier": "enterprise",
    "isolation": "strict",
    "frameworks": ["gdpr", "soc2", "iso27001"],
    "region": "eu-west-1",
}
BY_NAME = {p.name: p for p in POLICIES}


def _load(name: str) -> list[dict[str, Any]]:
    """``<name>.yaml`` plus every file of the ``<name>/`` folder (one per concern), in name order."""
    files = [FIXTURES / f"{name}.yaml", *sorted((FIXTURES / name).glob("*.yaml"))]
    return [case for path in files for case in YAML(typ="safe").load(path.read_text(encoding="utf-8")) or []]


CASES = _load("cases")
STACK_CASES = _load("stack_cases")


def _path(dotted: str) -> list[str | int]:
    parts = re.split(r"(?<!\\)\.", dotted)
    return [int(p) if p.isdigit() else p.replace("\\.", ".") for p in parts]


def mutate(value: Any, case: dict[str, Any]) -> Any:
    value = copy.deepcopy(value)
    for dotted, new in (case.get("set") or {}).items():
        *head, last = _path(dotted)
        node = value
        for part in head:
            node = node[part]
        node[last] = new
    for dotted in case.get("unset") or []:
        *head, last = _path(dotted)
        node = value
        for part in head:
            node = node[part]
        del node[last]
    return value


def _opts() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], None, [], None)  # type: ignore[arg-type]


def run_resource(case: dict[str, Any], props: dict[str, Any]) -> list[str]:
    found: list[str] = []
    args = ResourceValidationArgs(
        case["type"], props, f"urn:pulumi:t1::p::{case['type']}::r", "r", _opts(), None, {**CONTEXT, **(case.get("config") or {})}
    )
    BY_NAME[case["policy"]].validate(args, lambda message, urn=None: found.append(message))
    return found


def run_stack(case: dict[str, Any], resources: list[dict[str, Any]]) -> list[str]:
    built = [
        PolicyResource(r["type"], r["props"], f"urn:{i}", r["name"], _opts(), None, None, [], {}) for i, r in enumerate(resources)
    ]
    for resource, spec in zip(built, resources, strict=True):
        resource.dependencies = [built[d] for d in spec.get("dependencies", [])]
    found: list[str] = []
    BY_NAME[case["policy"]].validate(StackValidationArgs(built, CONTEXT), lambda message, urn=None: found.append(message))
    return found


def test_every_policy_has_a_case() -> None:
    covered = {c["policy"] for c in CASES} | {c["policy"] for c in STACK_CASES}
    assert covered == set(BY_NAME)


@pytest.mark.parametrize("case", CASES, ids=[c["policy"] for c in CASES])
def test_resource_policy(case: dict[str, Any]) -> None:
    assert run_resource(case, case["props"]) == []
    assert run_resource(case, mutate(case["props"], case)) == [case["message"]]


@pytest.mark.parametrize("case", STACK_CASES, ids=[c["policy"] for c in STACK_CASES])
def test_stack_policy(case: dict[str, Any]) -> None:
    assert run_stack(case, case["resources"]) == []
    mutated = copy.deepcopy(case["resources"])
    for key in ("set", "unset"):
        for dotted in case.get(key) or []:
            index, _, rest = dotted.partition(".")
            target = mutated[int(index)] if rest.startswith("dependencies") else mutated[int(index)]["props"]
            sub = {"set": {rest: case["set"][dotted]}} if key == "set" else {"unset": [rest]}
            mutated[int(index)] = (
                {**target, **mutate(target, sub)}
                if rest.startswith("dependencies")
                else {**mutated[int(index)], "props": mutate(target, sub)}
            )
    assert run_stack(case, mutated) == [case["message"]]


@pytest.mark.parametrize("policy", POLICIES, ids=[p.name for p in POLICIES])
def test_metadata(policy: Any) -> None:
    meta = meta_of(policy)
    assert policy.description.startswith("Checks that")
    assert policy.severity is not None and policy.remediation_steps and policy.framework is not None
    assert any(t.startswith("iso27001:A.") for t in policy.tags)
    if meta.category in {"encryption", "transit", "isolation", "audit"}:
        assert meta.mandatory


def test_missing_property_is_the_insecure_default() -> None:
    case = next(c for c in CASES if c["policy"] == "aws-rds-storage-encryption")
    assert run_resource(case, {}) == [case["message"]]


def test_without_config_the_tenant_comes_from_tags() -> None:
    policy = BY_NAME["aws-rds-multi-az"]
    found: list[str] = []
    args = ResourceValidationArgs(
        "aws:rds/instance:Instance", {"tags": {"tenant": "t1", "tier": "premium"}}, "u", "r", _opts(), None, None
    )
    policy.validate(args, lambda m, urn=None: found.append(m))
    assert found == ["RDS instance must set multiAz: true on the premium tier."]
