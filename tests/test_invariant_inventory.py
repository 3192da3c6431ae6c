"""The invariant inventory is complete and well-formed, and its documents are the ones the code generates.

Completeness: every example tenant and shared-cluster stack is rendered, every property of every custom
resource is walked, and every property whose path looks security-relevant (encryption, keys, TLS, public
or private exposure, pod security, metadata service, backups, deletion protection, RBAC, local accounts,
authorized networks, audit and flow logs, rotation, ...) must be covered by an inventory row that applies
to that resource, or explained in ``invariants/not_invariants.py``. The failure lists every gap.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from invariant_harness import applicable, apply, rendered_shared, rendered_tenants, targets
from tenant_policies.invariants import Drop, Invariant, rows
from tenant_policies.invariants.not_invariants import NOT_INVARIANTS

from tenantctl import invariants as inv
from tenantctl.commands.invariants import COVERAGE_END, COVERAGE_START
from tenantctl.policy.catalog import by_name
from tenantctl.render import RenderedResource

ROOT = Path(__file__).resolve().parent.parent
ROWS = rows()


def _estate() -> list[tuple[str, list[RenderedResource]]]:
    return [(t.tenant_id, t.resources) for t in rendered_tenants()] + [(s.stack, s.resources) for s in rendered_shared()]


def test_row_ids_are_unique() -> None:
    ids = [row.id for row in ROWS]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_every_row_names_a_real_mandatory_policy() -> None:
    catalog = by_name()
    assert [r.id for r in ROWS if r.policy not in catalog] == []
    assert [r.id for r in ROWS if not catalog[r.policy].mandatory] == []


def test_every_row_is_documented() -> None:
    """A row says what the component sets, what the edit is and what it would allow."""
    assert [r.id for r in ROWS if not (r.secure.strip() and r.why.strip() and r.edits)] == []
    assert [r.id for r in ROWS if any(isinstance(e, Drop) for e in r.edits) and not by_name()[r.policy].stack] == []


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_the_rows_edit_changes_the_rendered_resource(row: Invariant) -> None:
    """A no-op edit proves nothing: on every resource the row applies to, the edit must change its inputs."""
    unchanged = [
        f"{target.name}: {resource.urn}"
        for target in targets()
        for resource in applicable(row, target)
        if apply(row.edits, resource.properties) == dict(resource.properties)
    ]
    assert unchanged == [], f"{row.id}: {row.edits} leaves the inputs as they are on {unchanged}"


def test_every_security_relevant_property_has_a_row_or_a_reason() -> None:
    gaps = inv.uncovered(_estate())
    listing = "\n".join(f"  {g.type}  {g.path}  = {str(g.value)[:50]}   ({g.where})" for g in gaps)
    assert not gaps, (
        f"{len(gaps)} security-relevant rendered properties have no inventory row (add a row in "
        f"policies/tenant_policies/invariants/<area>.py, or a one-line reason in not_invariants.py):\n{listing}"
    )


def test_every_not_invariant_entry_explains_something_rendered() -> None:
    """A reason for a property nothing renders any more hides nothing today but would hide a regression later."""
    seen = [
        (by_type, path)
        for _, resources in _estate()
        for r in resources
        if r.custom
        for by_type in [inv.normalize(r.type)]
        for path, _ in inv.leaves(r.public_inputs())
    ]
    unused = [f"{n.type} {n.path}" for n in NOT_INVARIANTS if not any(inv.allowed(n, t, p) for t, p in seen)]
    assert unused == []
    assert [n.path for n in NOT_INVARIANTS if not n.why.strip() or "\n" in n.why] == []


def test_property_walk_names_paths_as_rows_do() -> None:
    """Engine paths: ``*`` per list element, a list of scalars is one property, dots inside keys escaped."""
    props = {
        "metadata": {"labels": {"pod-security.kubernetes.io/enforce": "restricted", "app": "web"}},
        "spec": {"containers": [{"securityContext": {"privileged": False, "capabilities": {"drop": ["ALL"]}}}]},
        "empty": {},
    }
    assert dict(inv.leaves(props)) == {
        "metadata.labels.pod-security\\.kubernetes\\.io/enforce": "restricted",
        "metadata.labels.app": "web",
        "spec.containers.*.securityContext.privileged": False,
        "spec.containers.*.securityContext.capabilities.drop": ["ALL"],
        "empty": {},
    }
    relevant = {p for p, v in inv.leaves(props) if inv.security_relevant(p, v)}
    assert relevant == {
        "metadata.labels.pod-security\\.kubernetes\\.io/enforce",
        "spec.containers.*.securityContext.privileged",
        "spec.containers.*.securityContext.capabilities.drop",
    }
    # A row covers its property and everything under it, with list indices or ``*``.
    assert inv.covers("spec.containers.*.securityContext", "spec.containers.*.securityContext.privileged")
    assert inv.covers("spec.containers.0.securityContext.privileged", "spec.containers.*.securityContext.privileged")
    assert not inv.covers("spec.containers.*.securityContext.privileged", "spec.containers.*.securityContext.runAsNonRoot")
    assert not inv.covers("spec.container", "spec.containers.*.image")
    # A world-open CIDR anywhere is security-relevant, whatever the property is called.
    assert inv.security_relevant("routes.*.destination", "0.0.0.0/0")


def test_inventory_document_is_the_generated_one() -> None:
    assert inv.INVENTORY_FILE.read_text(encoding="utf-8") == inv.inventory_markdown(), (
        "policies/INVARIANTS.md is stale: run `tenantctl invariants --write`"
    )


def test_inventory_document_lists_every_row_with_its_policy_metadata() -> None:
    document = inv.inventory_markdown()
    catalog = by_name()
    for row in ROWS:
        line = next((x for x in document.splitlines() if f"`{row.type}` | `{row.path}` |" in x and f"`{row.policy}`" in x), None)
        assert line is not None, row.id
        entry = catalog[row.policy]
        assert f"| {entry.severity} |" in line
        for tag in entry.frameworks:
            assert tag.split(":", 1)[1] in line, (row.id, tag)


def test_readme_coverage_table_is_the_generated_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(COVERAGE_START) + len(COVERAGE_START), readme.index(COVERAGE_END)
    assert readme[start:end] == inv.coverage_markdown(), "README coverage table is stale: run `tenantctl invariants --write`"
    assert "policies/INVARIANTS.md" in readme[readme.index("### Coverage") : end]


def test_coverage_counts_every_policy_of_a_service_once() -> None:
    """Each pack policy lands in at most one service row, and every cloud policy of a listed service is counted."""
    counted: dict[str, str] = {}
    for service in inv.SERVICES:
        for entry in inv.policies():
            if entry.name.startswith(service.prefixes):
                assert entry.name not in counted, (entry.name, counted.get(entry.name), service.name)
                counted[entry.name] = service.name
    table = inv.coverage_markdown()
    for service in inv.SERVICES:
        mine = [p for p in inv.policies() if p.name.startswith(service.prefixes)]
        assert re.search(rf"\| {re.escape(service.name)} \| {len(mine)} \|", table), service.name
