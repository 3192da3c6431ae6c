"""The inventory of invariants: every secure setting the components hard-code, and the policy that proves it.

One row per (resource type, property): the secure value the component sets, the pack policy
that refuses anything else, the single insecure edit the mutation tests apply to the rendered
resource, and the benchmark controls (CIS, Checkov) it corresponds to. Severity and the GDPR /
SOC 2 / ISO 27001 controls come from the policy's own metadata, never repeated here.

The pack never imports this package at run time; tests and ``policies/INVARIANTS.md`` read it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Set:
    """Set ``path`` (dotted engine names; list indices as numbers, ``*`` = every element) to ``value``."""

    path: str
    value: Any


@dataclass(frozen=True)
class Unset:
    """Remove ``path`` (the provider's default then applies)."""

    path: str


@dataclass(frozen=True)
class Drop:
    """Remove the resource from the stack (for stack policies: the namespace loses its LimitRange)."""


Edit = Set | Unset | Drop


@dataclass(frozen=True)
class Invariant:
    type: str  # engine type, Azure API version stripped (``azure-native:keyvault:Vault``)
    path: str  # the property, dotted engine (camelCase) names, ``*`` for every list element
    secure: str  # the value the component sets, as written in the inputs
    policy: str  # the pack policy that refuses anything else
    edits: tuple[Edit, ...]  # the single insecure edit the mutation tests apply
    why: str  # one line: what the insecure value would allow
    benchmarks: tuple[str, ...] = ()  # CIS benchmark / Checkov ids, e.g. ("CKV_AWS_79", "CIS EKS 3.2.1")
    where: Callable[[Mapping[str, Any]], bool] | None = None  # which resources of the type (default: all)

    @property
    def id(self) -> str:
        return f"{self.policy}@{self.type}:{self.path}"

    def applies_to(self, type_: str, props: Mapping[str, Any]) -> bool:
        return type_ == self.type and (self.where is None or self.where(props))


def rows() -> list[Invariant]:
    """Every row, by area."""
    from . import addons, aws, azure, gateway, gcp, kubernetes, trust

    return [*kubernetes.ROWS, *gateway.ROWS, *addons.ROWS, *aws.ROWS, *azure.ROWS, *gcp.ROWS, *trust.ROWS]
