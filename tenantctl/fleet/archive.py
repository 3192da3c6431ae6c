"""Backups: a tar.gz of tenants/, stacks/ and (when reachable) each stack's exported state, with sha256 sums.

Restore verifies every sum and every member name before writing a single byte, and never
overwrites a file that differs without ``force``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

MANIFEST = "MANIFEST.json"
FOLDERS = ("tenants", "stacks")
EXPORTS = "exports"  # exports/<stack>.json: `pulumi stack export` of each stack


class ArchiveError(Exception):
    """The archive cannot be trusted or restored; nothing was written."""


@dataclass
class RestoreReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    exports: dict[str, dict[str, Any]] = field(default_factory=dict)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def collect(root: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for folder in FOLDERS:
        base = root / folder
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


Exporter = Callable[[str], dict[str, Any]]


def create_backup(
    root: Path, output_dir: Path, stacks: list[str], exporter: Exporter | None, now: dt.datetime | None = None
) -> tuple[Path, list[str]]:
    """Write the archive; return its path and warnings (stacks that could not be exported)."""
    now = now or dt.datetime.now(dt.UTC)
    files = collect(root)
    warnings: list[str] = []
    if exporter is None:
        warnings.append("stack state not included: the Pulumi CLI is not installed")
    else:
        for stack in stacks:
            try:
                state = exporter(stack)
            except Exception as exc:  # one unreachable stack must not lose the others' state
                warnings.append(f"{stack}: state not exported ({type(exc).__name__}: {str(exc).splitlines()[-1:]})")
                continue
            files[f"{EXPORTS}/{stack}.json"] = (json.dumps(state, indent=2, sort_keys=True) + "\n").encode()
    manifest = {
        "format": "tenant-platform-backup/1",
        "created": now.isoformat(),
        "files": {name: sha256(data) for name, data in sorted(files.items())},
    }
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / f"tenant-platform-backup-{now.strftime('%Y%m%dT%H%M%SZ')}.tar.gz"
    mtime = int(now.timestamp())
    with tarfile.open(target, "w:gz") as tar:
        for name, data in [(MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode()), *sorted(files.items())]:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), mtime, 0o644
            tar.addfile(info, io.BytesIO(data))
    return target, warnings


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return False
    return name == MANIFEST or path.parts[0] in (*FOLDERS, EXPORTS)


def read_verified(archive: Path) -> dict[str, bytes]:
    """Every member, after checking names, types and sha256 sums against the manifest."""
    try:
        tar = tarfile.open(archive, "r:*")
    except (OSError, tarfile.TarError) as exc:
        raise ArchiveError(f"{archive}: not a readable archive ({exc})") from None
    members: dict[str, bytes] = {}
    with tar:
        for member in tar.getmembers():
            if member.isdir():
                continue
            if not member.isfile() or not _safe_name(member.name):
                raise ArchiveError(f"{archive}: refusing member {member.name!r} (not a tenant, stack or export file)")
            if member.name in members:
                raise ArchiveError(f"{archive}: member {member.name!r} appears twice")
            handle = tar.extractfile(member)
            members[member.name] = handle.read() if handle else b""
    if MANIFEST not in members:
        raise ArchiveError(f"{archive}: no {MANIFEST}")
    try:
        expected: dict[str, str] = json.loads(members.pop(MANIFEST))["files"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ArchiveError(f"{archive}: unreadable {MANIFEST} ({exc})") from None
    problems = [f"{name}: missing from the archive" for name in sorted(set(expected) - set(members))]
    problems += [f"{name}: not listed in the manifest" for name in sorted(set(members) - set(expected))]
    problems += [
        f"{name}: sha256 mismatch" for name in sorted(set(members) & set(expected)) if sha256(members[name]) != expected[name]
    ]
    if problems:
        raise ArchiveError(f"{archive}: verification failed, nothing restored:\n  " + "\n  ".join(problems))
    return members


def restore_backup(archive: Path, root: Path, force: bool = False) -> RestoreReport:
    members = read_verified(archive)
    report = RestoreReport()
    conflicts = []
    for name, data in sorted(members.items()):
        if name.startswith(f"{EXPORTS}/"):
            continue
        target = root / name
        if target.exists() and target.read_bytes() != data:
            conflicts.append(name)
    if conflicts and not force:
        raise ArchiveError(
            "refusing to overwrite files that differ from the archive (pass --force):\n  " + "\n  ".join(conflicts)
        )
    for name, data in sorted(members.items()):
        if name.startswith(f"{EXPORTS}/"):
            report.exports[PurePosixPath(name).stem] = json.loads(data)
            continue
        target = root / name
        if target.exists() and target.read_bytes() == data:
            report.unchanged.append(name)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = target.with_name(f".{target.name}.restore")
        scratch.write_bytes(data)
        scratch.replace(target)
        report.written.append(name)
    return report
