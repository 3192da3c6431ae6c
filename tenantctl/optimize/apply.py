"""Write chosen recommendations to the tenant file, only when the result validates and plans with zero blocking violations."""

from __future__ import annotations

import datetime as dt
import difflib
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spec.loader import TenantFile
from tenantctl.optimize.recommendation import Recommendation
from tenantctl.optimize.reprice import edited


@dataclass(frozen=True)
class Applied:
    diff: str
    blocking: list[str]  # "policy: message" of each blocking violation; the file is written only when empty
    written: bool


def combined(chosen: Sequence[Recommendation]) -> dict[tuple[str, ...], Any]:
    changes: dict[tuple[str, ...], Any] = {}
    for recommendation in chosen:
        changes.update(recommendation.changes)
    return changes


def apply(tenant: TenantFile, chosen: Sequence[Recommendation], root: Path, today: dt.date, shown: str) -> Applied:
    """Validate (``SpecErrors``), render and enforce the edited tenant; write it atomically if nothing blocks."""
    from tenantctl.policy.enforce import enforce
    from tenantctl.render import render_tenant

    before = tenant.path.read_text(encoding="utf-8")
    changes = combined(chosen)
    with tempfile.TemporaryDirectory() as scratch:
        candidate = edited(tenant, changes, Path(scratch))
        after = candidate.path.read_text(encoding="utf-8")  # exactly the text that was validated and planned
        verdict = enforce([render_tenant(candidate, root)], today)[0]
    blocking = [f"{v.policy}: {v.message}" for v in verdict.blocking]
    diff = "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), f"a/{shown}", f"b/{shown}"))
    if blocking or after == before:
        return Applied(diff, blocking, False)
    scratch_file = tenant.path.with_name(f".{tenant.path.name}.tmp")
    scratch_file.write_text(after, encoding="utf-8")
    scratch_file.replace(tenant.path)  # atomic: never half written
    return Applied(diff, blocking, True)
