"""Every inventory row is proven on the rendered estate: its single insecure edit is refused by its own policy.

For each row, on every example tenant and every shared-cluster stack that renders a resource the row
applies to, the edit is applied to that resource's inputs and the result sent to the pack over gRPC;
the pack must report a new mandatory violation of exactly the row's policy. The unedited examples and
shared stacks have no mandatory violation.

Fast by construction: every stack is rendered once per process, one pack process serves every row,
and the selected rows (``-k`` included) are proven target by target with one ``Configure`` each and
each baseline analysed once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from invariant_harness import Proof, Prover, targets
from tenant_policies.invariants import Invariant, rows

from tenantctl.policy.catalog import by_name
from tenantctl.policy.client import PackClient

ROWS = rows()


@pytest.fixture(scope="module")
def pack() -> Iterator[PackClient]:
    with PackClient() as client:
        yield client


@pytest.fixture(scope="module")
def proofs(request: pytest.FixtureRequest, pack: PackClient) -> dict[str, Proof]:
    """Proofs of exactly the rows this run selected, computed in one pass grouped by target."""
    selected = {
        item.callspec.params["row"].id: item.callspec.params["row"]
        for item in request.session.items
        if item.module is request.module and hasattr(item, "callspec") and "row" in item.callspec.params
    }
    began = time.perf_counter()
    targets()
    rendered = time.perf_counter() - began
    prover = Prover(pack)
    result = prover.prove(selected.values())
    total = time.perf_counter() - began
    print(
        f"\ninvariant mutations: {len(selected)} row(s) on {len(targets())} stacks, {prover.analyses} analyses;"
        f" render {rendered:.1f}s, pack {prover.seconds:.1f}s, total {total:.1f}s"
    )
    return result


def test_row_ids_are_unique_and_name_real_policies() -> None:
    ids = [row.id for row in ROWS]
    assert len(ids) == len(set(ids))
    catalog = by_name()
    assert [row.policy for row in ROWS if row.policy not in catalog] == []
    assert [row.policy for row in ROWS if not catalog[row.policy].mandatory] == []


def test_the_unedited_estate_has_no_mandatory_violation(pack: PackClient) -> None:
    """The baseline every mutation is measured against: tenants and shared-cluster stacks pass as rendered."""
    found = []
    for target in targets():
        pack.configure(target.config)
        diagnostics = [d for r in target.resources if r.urn in target.custom for d in pack.analyze(r)]
        diagnostics += pack.analyze_stack(list(target.resources))
        found += [(target.name, d.policy, d.urn, d.message) for d in diagnostics if d.level == "mandatory"]
    assert found == []


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_single_insecure_edit_is_refused(proofs: dict[str, Proof], row: Invariant) -> None:
    proof = proofs[row.id]
    assert proof.checked, f"{row.id}: applies to no rendered resource of any example tenant or shared stack"
    assert proof.missed == [], f"{row.id}: the edit {row.edits} passed the pack on {proof.missed}"
