"""Which tenants a fleet command acts on: named ones, ``--all``, or those ``--changed-since`` a git ref."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tenantctl.fleet.runner import FleetError

# A change under any of these can alter every tenant's estate or how it is checked.
SHARED_PREFIXES = ("components/", "policies/", "spec/", "tenantctl/policy/")
SHARED_FILES = ("__main__.py", "Pulumi.yaml", "pyproject.toml")


@dataclass
class Selection:
    tenant_ids: list[str]
    reasons: dict[str, str] = field(default_factory=dict)  # tenant id → why it was selected
    notes: list[str] = field(default_factory=list)


def all_tenant_ids(root: Path) -> list[str]:
    folder = root / "tenants"
    return sorted(p.stem for p in folder.glob("*.yaml") if p.is_file()) if folder.is_dir() else []


def _git(root: Path, *args: str) -> list[str]:
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise FleetError("--changed-since needs git, which is not installed") from None
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["git failed"])[-1]
        raise FleetError(f"git {' '.join(args)}: {detail}")
    return [line for line in proc.stdout.splitlines() if line.strip()]


def changed_files(root: Path, ref: str) -> list[str]:
    """Files changed between the merge base of ``ref`` and the working tree, plus untracked ones.

    The merge base makes a pull request's diff exactly its own changes; comparing against the
    working tree includes edits not yet committed, and untracked files catch a new tenant.
    """
    base = _git(root, "merge-base", ref, "HEAD")[0]
    top = Path(_git(root, "rev-parse", "--show-toplevel")[0]).resolve()
    files = _git(root, "diff", "--name-only", "--no-renames", base, "--")
    files += _git(root, "ls-files", "--others", "--exclude-standard")
    prefix = root.resolve().relative_to(top).as_posix() if root.resolve() != top else ""
    out: list[str] = []
    for name in files:
        if prefix:
            if not name.startswith(prefix + "/"):
                continue
            name = name[len(prefix) + 1 :]
        out.append(name)
    return sorted(set(out))


def changed_tenants(root: Path, ref: str) -> Selection:
    existing = set(all_tenant_ids(root))
    selection = Selection(tenant_ids=[])
    files = changed_files(root, ref)
    shared = [f for f in files if f.startswith(SHARED_PREFIXES) or f in SHARED_FILES]
    if shared:
        for every in sorted(existing):
            selection.reasons[every] = f"shared code changed ({shared[0]}{' …' if len(shared) > 1 else ''})"
        selection.tenant_ids = sorted(existing)
        return selection
    chosen: set[str] = set()
    for name in files:
        path = Path(name)
        tenant_id: str | None = None
        if path.parent.as_posix() == "tenants" and path.suffix == ".yaml":
            tenant_id = path.stem
        elif path.parent.as_posix() == "stacks" and path.name.startswith("Pulumi.") and path.suffix == ".yaml":
            tenant_id = path.name[len("Pulumi.") : -len(".yaml")]
            if tenant_id not in existing:
                selection.notes.append(f"{name} changed but is not a tenant stack: operate it by hand")
                continue
        if tenant_id is None:
            continue
        if tenant_id not in existing:
            selection.notes.append(f"tenant {tenant_id} was removed: destroy its stack explicitly if that was intended")
            continue
        chosen.add(tenant_id)
        selection.reasons.setdefault(tenant_id, f"{name} changed")
    selection.tenant_ids = sorted(chosen)
    return selection


def select(root: Path, names: list[str], all_tenants: bool, changed_since: str | None) -> Selection:
    """The union of the named tenants, every tenant (``--all``) and the changed ones."""
    if not names and not all_tenants and changed_since is None:
        raise FleetError("name the tenants to act on, or pass --all or --changed-since GIT_REF")
    existing = all_tenant_ids(root)
    selection = Selection(tenant_ids=[])
    unknown = [n for n in names if n not in existing]
    if unknown:
        raise FleetError(f"unknown tenant(s): {', '.join(unknown)} (no tenants/<id>.yaml)")
    chosen: dict[str, str] = {n: "named" for n in names}
    if all_tenants:
        for tenant_id in existing:
            chosen.setdefault(tenant_id, "--all")
    if changed_since is not None:
        changed = changed_tenants(root, changed_since)
        selection.notes.extend(changed.notes)
        for tenant_id in changed.tenant_ids:
            chosen.setdefault(tenant_id, changed.reasons[tenant_id])
    selection.tenant_ids = sorted(chosen)
    selection.reasons = chosen
    return selection
