"""The in-process evaluator (``plan``'s offline default) gives the pack's verdicts exactly as its gRPC
server does (``--pack-transport grpc``, what ``pulumi preview --policy-pack`` runs).

One twin session sends every call to both: the analyzer info, every example tenant and shared-cluster
stack as rendered (every ``Analyze`` and ``AnalyzeStack``), every inventory row's mutation (the
invariant harness's own sequence of calls), and configs the pack must refuse. Any difference in the
diagnostics (policy, level, severity, URN, message, order) fails.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from invariant_harness import Prover, targets
from tenant_policies.invariants import rows

from tenantctl.policy.catalog import critical_policy_names
from tenantctl.policy.client import AnalyzedResource, Diagnostic, PackClient, PackError
from tenantctl.policy.inprocess import InProcessPack


@dataclass
class Twin:
    """A session that asks both transports and records every answer that differs."""

    grpc: PackClient
    inprocess: InProcessPack
    differences: list[str] = field(default_factory=list)
    calls: int = 0

    def _same(self, what: str, a: list[Diagnostic], b: list[Diagnostic]) -> list[Diagnostic]:
        self.calls += 1
        if a != b:
            self.differences.append(f"{what}:\n  grpc      {a}\n  inprocess {b}")
        return a

    def configure(self, config: Mapping[str, Any] | None) -> None:
        outcomes = []
        for session in (self.grpc, self.inprocess):
            try:
                session.configure(config)
                outcomes.append("accepted")
            except PackError as exc:
                outcomes.append(f"refused: {exc}")
        if outcomes[0] != outcomes[1]:
            self.differences.append(f"configure {config}: grpc {outcomes[0]}; inprocess {outcomes[1]}")
        if outcomes[0] != "accepted":
            raise PackError(outcomes[0])

    def analyze(self, resource: AnalyzedResource) -> list[Diagnostic]:
        return self._same(f"analyze {resource.urn}", self.grpc.analyze(resource), self.inprocess.analyze(resource))

    def analyze_stack(self, resources: Iterable[AnalyzedResource]) -> list[Diagnostic]:
        items = list(resources)
        return self._same("analyze_stack", self.grpc.analyze_stack(items), self.inprocess.analyze_stack(items))


@pytest.fixture(scope="module")
def twin() -> Iterator[Twin]:
    with PackClient() as grpc_pack, InProcessPack() as local:
        yield Twin(grpc_pack, local)


def _info(session: PackClient | InProcessPack) -> list[tuple[Any, ...]]:
    return [(p.name, p.description, p.enforcementLevel, p.configSchema, p.policy_type) for p in session.policies()]


def test_both_describe_the_same_policies(twin: Twin) -> None:
    assert _info(twin.inprocess) == _info(twin.grpc)
    assert len(_info(twin.grpc)) > 0


def test_every_rendered_stack_gets_the_same_diagnostics(twin: Twin) -> None:
    before = len(twin.differences)
    for target in targets():
        twin.configure(target.config)
        for resource in target.resources:
            if resource.urn in target.custom:
                twin.analyze(resource)
        twin.analyze_stack(list(target.resources))
    assert twin.differences[before:] == []


def test_every_inventory_mutation_gets_the_same_diagnostics(twin: Twin) -> None:
    before, calls = len(twin.differences), twin.calls
    proofs = Prover(twin).prove(rows())  # type: ignore[arg-type]  # duck-typed session
    assert twin.differences[before:] == []
    assert twin.calls - calls > len(proofs)  # every row was sent at least once, through both
    # Whether each row is proven is test_invariant_mutations' contract; here only that both transports agree.
    assert sum(len(proof.checked) for proof in proofs.values()) > 0


@pytest.mark.parametrize(
    "config",
    [
        {"aws-rds-storage-encryption": {"enforcementLevel": "advisory"}},
        {"all": "disabled"},
        {"aws-rds-multi-az": {"enforcementLevel": "sometimes"}},
        {"aws-rds-multi-az": {"tier": 3}},
    ],
    ids=["critical-lowered", "all-disabled", "bad-level", "bad-schema"],
)
def test_both_refuse_the_same_configs(twin: Twin, config: dict[str, Any]) -> None:
    before = len(twin.differences)
    with pytest.raises(PackError):
        twin.configure(config)
    assert twin.differences[before:] == []


def test_both_report_non_critical_policies_lowered_to_advisory_alike(twin: Twin) -> None:
    before = len(twin.differences)
    critical = critical_policy_names()
    for target in targets()[:3]:
        config = {name: dict(entry) for name, entry in target.config.items()}
        for name, entry in config.items():
            if name not in critical:
                entry["enforcementLevel"] = "advisory"
        twin.configure(config)
        for resource in target.resources:
            if resource.urn in target.custom:
                twin.analyze(resource)
        twin.analyze_stack(list(target.resources))
    assert twin.differences[before:] == []
