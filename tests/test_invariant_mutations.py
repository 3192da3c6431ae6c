"""Every inventory row is proven on the rendered estate: its single insecure edit is refused by its own policy.

For each row, on every example tenant that renders a resource the row applies to, the edit is applied
to that resource's inputs and the result sent to the pack over gRPC; the pack must report a new
mandatory violation of exactly the row's policy. The unedited examples have no mandatory violation.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from invariant_harness import applicable, new_violations, targets
from tenant_policies.invariants import Invariant, rows

from tenantctl.policy.catalog import by_name
from tenantctl.policy.client import PackClient

ROWS = rows()


@pytest.fixture(scope="module")
def pack() -> Iterator[PackClient]:
    with PackClient() as client:
        yield client


def test_row_ids_are_unique_and_name_real_policies() -> None:
    ids = [row.id for row in ROWS]
    assert len(ids) == len(set(ids))
    catalog = by_name()
    assert [row.policy for row in ROWS if row.policy not in catalog] == []
    assert [row.policy for row in ROWS if not catalog[row.policy].mandatory] == []


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_single_insecure_edit_is_refused(pack: PackClient, row: Invariant) -> None:
    checked = 0
    missed: list[str] = []
    for target in targets():
        for resource in applicable(row, target):
            if resource.urn not in target.custom and not by_name()[row.policy].stack:
                continue
            checked += 1
            if not new_violations(pack, row, target, resource):
                missed.append(f"{target.name}: {resource.urn}")
    assert checked, f"{row.id}: applies to no rendered resource of any example tenant"
    assert missed == [], f"{row.id}: the edit {row.edits} passed the pack on {missed}"
