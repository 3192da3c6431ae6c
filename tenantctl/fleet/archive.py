"""Backups: a tar.gz of tenants/, stacks/ and (when reachable) each stack's exported state, authenticated.

``MANIFEST.json`` lists every file with its size and sha256; ``MANIFEST.sig`` is the HMAC-SHA256
of the manifest's exact bytes under the operator's key (``backup_key``). Restore trusts nothing
in an archive before that MAC verifies, and nothing outside the manifest after it does:

- the archive is read as a stream with bounds (members, bytes per member, bytes in all) checked
  from each header before its data is read, so a bomb or a 300 MB member costs nothing;
- only regular files with the names a backup writes are accepted (``tenants/**.yaml``,
  ``stacks/Pulumi.<stack>.yaml``, ``exports/<stack>.json``): no links, devices, folders, hidden
  files, ``..`` or absolute names;
- files are written only under ``tenants/`` and ``stacks/``, never through a symlink, and a file
  that differs from the archive is not overwritten without ``force``.

Any problem is an ``ArchiveError`` (exit 2) raised before a single byte is written.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tenantctl.fleet.backup_key import BackupKey

FORMAT = "tenant-platform-backup/2"
MANIFEST = "MANIFEST.json"
SIGNATURE = "MANIFEST.sig"
FOLDERS = ("tenants", "stacks")  # restored into the repository
EXPORTS = "exports"  # exports/<stack>.json: `pulumi stack export` of each stack, imported on request only

MAX_FILE_BYTES = 1 << 20  # tenant files are ≤ 256 KiB (the loader's limit), stack files a few lines
MAX_EXPORT_BYTES = 64 << 20  # a stack's exported state
MAX_TOTAL_BYTES = 256 << 20
MAX_ARCHIVE_BYTES = 256 << 20  # compressed, on disk
MAX_MEMBERS = 10_000
MAX_MANIFEST_BYTES = MAX_MEMBERS * 256
MAX_SIGNATURE_BYTES = 1024
MAX_DEPTH = 6  # folders under tenants/

_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}"
_NAMES = (
    re.compile(rf"tenants/(?:{_SEGMENT}/){{0,{MAX_DEPTH}}}{_SEGMENT}\.ya?ml"),
    re.compile(rf"stacks/Pulumi\.{_SEGMENT}\.yaml"),
    re.compile(rf"{EXPORTS}/{_SEGMENT}\.json"),
)


class ArchiveError(Exception):
    """The archive cannot be trusted or restored; nothing was written. One ``where: message`` per problem."""

    def __init__(self, archive: Path | str, problems: list[tuple[str, str]]) -> None:
        self.archive = str(archive)
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{self.archive}:1: {where}: {message}" for where, message in self.problems]


def _fail(archive: Path | str, where: str, message: str) -> ArchiveError:
    return ArchiveError(archive, [(where, message)])


@dataclass
class RestoreReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    exports: dict[str, dict[str, Any]] = field(default_factory=dict)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def member_name_ok(name: str) -> bool:
    """A name a backup writes: normalised, relative, visible, in a known folder, of a known kind."""
    if "\\" in name or "//" in name or any(part.startswith(".") for part in name.split("/")):
        return False
    return any(pattern.fullmatch(name) for pattern in _NAMES)


def _limit(name: str) -> int:
    if name == MANIFEST:
        return MAX_MANIFEST_BYTES
    if name == SIGNATURE:
        return MAX_SIGNATURE_BYTES
    return MAX_EXPORT_BYTES if name.startswith(f"{EXPORTS}/") else MAX_FILE_BYTES


# ------------------------------------------------------------------ manifest


class _FileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    size: Annotated[int, Field(ge=0, le=MAX_EXPORT_BYTES)]


class _Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    format: Annotated[str, Field(pattern=rf"^{re.escape(FORMAT)}$")]
    created: Annotated[str, Field(max_length=64)]
    key_id: Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]
    files: Annotated[dict[str, _FileEntry], Field(max_length=MAX_MEMBERS)]


# ------------------------------------------------------------------ backup


def _regular_files(root: Path, folder: str, warnings: list[str]) -> Iterator[tuple[str, Path]]:
    """Regular files under ``root/folder`` that are really inside the repository; links are never followed."""
    base = root / folder
    if base.is_symlink():
        warnings.append(f"{folder}/ is a symlink: not included (a backup holds only files inside the repository)")
        return
    if not base.is_dir():
        return
    inside = root.resolve()
    for current, dirs, files in os.walk(base, followlinks=False):
        here = Path(current)
        for name in sorted(dirs):
            if (here / name).is_symlink():
                warnings.append(f"{(here / name).relative_to(root).as_posix()}: symlinked folder not included")
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (here / d).is_symlink())
        for name in sorted(files):
            path = here / name
            relative = path.relative_to(root).as_posix()
            if name.startswith("."):
                continue
            if path.is_symlink() or not path.is_file():
                warnings.append(f"{relative}: not a regular file (a symlink or special file): not included")
                continue
            if not path.resolve().is_relative_to(inside):
                warnings.append(f"{relative}: resolves outside the repository: not included")
                continue
            if not member_name_ok(relative):
                warnings.append(f"{relative}: not a tenant or stack file: not included")
                continue
            if path.stat().st_size > MAX_FILE_BYTES:
                warnings.append(f"{relative}: larger than {MAX_FILE_BYTES} bytes: not included")
                continue
            yield relative, path


def collect(root: Path, warnings: list[str] | None = None) -> dict[str, bytes]:
    sink = warnings if warnings is not None else []
    return {name: path.read_bytes() for folder in FOLDERS for name, path in _regular_files(root, folder, sink)}


Exporter = Callable[[str], dict[str, Any]]


def create_backup(
    root: Path, output_dir: Path, stacks: list[str], exporter: Exporter | None, key: BackupKey, now: dt.datetime | None = None
) -> tuple[Path, list[str]]:
    """Write the signed archive; return its path and warnings (files skipped, stacks that could not be exported)."""
    now = now or dt.datetime.now(dt.UTC)
    warnings: list[str] = []
    files = collect(root, warnings)
    if exporter is None:
        warnings.append("stack state not included: the Pulumi CLI is not installed")
    else:
        for stack in stacks:
            name = f"{EXPORTS}/{stack}.json"
            if not member_name_ok(name):
                warnings.append(f"{stack}: not a stack name a backup can hold: state not exported")
                continue
            try:
                state = exporter(stack)
            except Exception as exc:  # one unreachable stack must not lose the others' state
                warnings.append(f"{stack}: state not exported ({type(exc).__name__}: {str(exc).splitlines()[-1:]})")
                continue
            files[name] = (json.dumps(state, indent=2, sort_keys=True) + "\n").encode()
    manifest = {
        "format": FORMAT,
        "created": now.isoformat(),
        "key_id": key.key_id,
        "files": {name: {"sha256": sha256(data), "size": len(data)} for name, data in sorted(files.items())},
    }
    manifest_bytes = (json.dumps(manifest, indent=2) + "\n").encode()
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / f"tenant-platform-backup-{now.strftime('%Y%m%dT%H%M%SZ')}.tar.gz"
    mtime = int(now.timestamp())
    members = [(MANIFEST, manifest_bytes), (SIGNATURE, (key.sign(manifest_bytes) + "\n").encode()), *sorted(files.items())]
    scratch = target.with_name(f".{target.name}.partial")
    with tarfile.open(scratch, "w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), mtime, 0o644
            tar.addfile(info, io.BytesIO(data))
    scratch.replace(target)  # a crash never leaves a half-written archive under the final name
    return target, warnings


# ------------------------------------------------------------------ restore


def _read_members(archive: Path) -> dict[str, bytes]:
    """Every member's bytes, refusing anything a backup does not write, within the bounds."""
    try:
        size = archive.stat().st_size
    except OSError as exc:
        raise _fail(archive, "archive", f"cannot read ({exc.strerror or exc})") from None
    if not archive.is_file():
        raise _fail(archive, "archive", "not a regular file")
    if size > MAX_ARCHIVE_BYTES:
        raise _fail(archive, "archive", f"{size} bytes is larger than a backup can be ({MAX_ARCHIVE_BYTES})")
    members: dict[str, bytes] = {}
    total = 0
    try:
        with archive.open("rb") as raw, tarfile.open(fileobj=raw, mode="r|gz") as tar:
            for count, member in enumerate(tar, start=1):
                name = member.name
                if count > MAX_MEMBERS:
                    raise _fail(archive, "archive", f"more than {MAX_MEMBERS} members")
                if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
                    kind = "link" if member.issym() or member.islnk() else "folder" if member.isdir() else "special file"
                    raise _fail(archive, repr(name), f"refusing a {kind}: a backup holds regular files only")
                if name not in (MANIFEST, SIGNATURE) and not member_name_ok(name):
                    raise _fail(
                        archive, repr(name), "refusing a member a backup does not write (not a tenant, stack or export file)"
                    )
                if name in members:
                    raise _fail(archive, repr(name), "appears twice")
                limit = _limit(name)
                if member.size > limit:
                    raise _fail(archive, name, f"{member.size} bytes is over the {limit}-byte limit for this member")
                total += member.size
                if total > MAX_TOTAL_BYTES:
                    raise _fail(archive, "archive", f"members add up to more than {MAX_TOTAL_BYTES} bytes")
                handle = tar.extractfile(member)
                data = handle.read(member.size + 1) if handle else b""
                if len(data) != member.size:
                    raise _fail(archive, name, "truncated")
                members[name] = data
    except ArchiveError:
        raise
    except (tarfile.TarError, OSError, EOFError, zlib.error, gzip.BadGzipFile, ValueError, TypeError) as exc:
        # TypeError: a gzip header cut inside its flag bytes makes the stdlib call ord() on an empty read.
        raise _fail(archive, "archive", f"not a readable tenant-platform backup ({type(exc).__name__}: {exc})") from None
    return members


def _manifest(archive: Path, members: dict[str, bytes], key: BackupKey) -> _Manifest:
    if MANIFEST not in members or SIGNATURE not in members:
        missing = MANIFEST if MANIFEST not in members else SIGNATURE
        raise _fail(
            archive, missing, "missing: not a signed tenant-platform backup (backups made before signing cannot be restored)"
        )
    manifest_bytes = members.pop(MANIFEST)
    mac = members.pop(SIGNATURE).decode("ascii", "replace")
    # Authenticate before parsing anything the archive says.
    if not key.verifies(manifest_bytes, mac):
        raise _fail(
            archive,
            SIGNATURE,
            f"the manifest's MAC does not verify under the key from {key.source} (key id {key.key_id}): "
            "the archive was altered or made with another key; nothing restored",
        )
    try:
        manifest = _Manifest.model_validate_json(manifest_bytes)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "manifest"
        raise _fail(archive, MANIFEST, f"{where}: {first['msg']}") from None
    if manifest.key_id != key.key_id:
        raise _fail(archive, MANIFEST, f"made with key id {manifest.key_id}, not {key.key_id}")
    return manifest


def read_verified(archive: Path, key: BackupKey) -> dict[str, bytes]:
    """Every listed file's bytes, after the MAC, the names, the sizes and every sha256 check out."""
    members = _read_members(archive)
    manifest = _manifest(archive, members, key)
    problems = [(name, "not a name a backup writes") for name in sorted(manifest.files) if not member_name_ok(name)]
    problems += [
        (name, "listed in the manifest, missing from the archive") for name in sorted(set(manifest.files) - set(members))
    ]
    problems += [(name, "not listed in the manifest") for name in sorted(set(members) - set(manifest.files))]
    for name in sorted(set(members) & set(manifest.files)):
        entry = manifest.files[name]
        if len(members[name]) != entry.size or sha256(members[name]) != entry.sha256:
            problems.append((name, "sha256 mismatch"))
    if problems:
        raise ArchiveError(archive, problems)
    return members


def _export(archive: Path, name: str, data: bytes) -> dict[str, Any]:
    try:
        state = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise _fail(archive, name, f"not a JSON stack export ({type(exc).__name__})") from None
    if not isinstance(state, dict) or not isinstance(state.get("deployment"), dict):
        raise _fail(archive, name, "not a stack export (an object with a `deployment` object)")
    return state


def _target(archive: Path, root: Path, name: str) -> Path:
    """Where ``name`` is written, refusing any symlink or non-file on the way (writes stay inside the repository)."""
    path = root
    for part in PurePosixPath(name).parts:
        path = path / part
        if path.is_symlink():
            raise _fail(
                archive, name, f"{path.relative_to(root).as_posix()} is a symlink in the repository: refusing to write through it"
            )
    if path.exists() and not path.is_file():
        raise _fail(archive, name, "exists in the repository and is not a regular file")
    return path


def restore_backup(archive: Path, root: Path, key: BackupKey, force: bool = False) -> RestoreReport:
    members = read_verified(archive, key)
    report = RestoreReport()
    files: dict[str, tuple[Path, bytes]] = {}
    for name, data in sorted(members.items()):
        if name.startswith(f"{EXPORTS}/"):
            report.exports[PurePosixPath(name).stem] = _export(archive, name, data)
        else:
            files[name] = (_target(archive, root, name), data)
    conflicts = [name for name, (path, data) in files.items() if path.exists() and path.read_bytes() != data]
    if conflicts and not force:
        raise ArchiveError(
            archive, [(name, "differs from the archive; refusing to overwrite (pass --force)") for name in conflicts]
        )
    for name, (path, data) in files.items():
        if path.exists() and path.read_bytes() == data:
            report.unchanged.append(name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        # A fresh scratch file (O_EXCL, never a planted link), then an atomic rename over the target.
        handle, scratch = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".restore", dir=path.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(scratch, path)
        report.written.append(name)
    return report
