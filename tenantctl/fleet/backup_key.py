"""The key that authenticates backups: HMAC-SHA256 over the archive's manifest.

The operator holds the key; an archive is only restored when its manifest's MAC verifies under
it, so an edited member with a recomputed sha256 (or a forged manifest) is refused. The key comes
from ``--key-file``, else ``TENANTCTL_BACKUP_KEY_FILE`` (a file holding the key), else
``TENANTCTL_BACKUP_KEY`` (the key itself); it must be at least 32 bytes (``openssl rand -hex 32``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from dataclasses import dataclass
from pathlib import Path

KEY_ENV = "TENANTCTL_BACKUP_KEY"
KEY_FILE_ENV = "TENANTCTL_BACKUP_KEY_FILE"
MIN_KEY_BYTES = 32
MAX_KEY_FILE_BYTES = 4096  # a key file is a few dozen bytes; refuse to read a large file as one
HOW = (
    f"set {KEY_ENV} (or {KEY_FILE_ENV}, or pass --key-file) to a secret of at least {MIN_KEY_BYTES} bytes, "
    "e.g. `openssl rand -hex 32`"
)


class BackupKeyError(Exception):
    """No usable key: a user error (exit 2)."""


@dataclass(frozen=True)
class BackupKey:
    secret: bytes
    source: str  # where it came from, for messages (never the key itself)

    @property
    def key_id(self) -> str:
        """Names the key in the manifest without revealing it (a MAC of a constant)."""
        return hmac.new(self.secret, b"tenant-platform-backup key id", hashlib.sha256).hexdigest()[:16]

    def sign(self, data: bytes) -> str:
        return hmac.new(self.secret, data, hashlib.sha256).hexdigest()

    def verifies(self, data: bytes, mac: str) -> bool:
        return hmac.compare_digest(self.sign(data), mac.strip())


def _from_file(path: Path) -> bytes:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise BackupKeyError(f"{path}:1: backup key: not a regular file")
        if info.st_size > MAX_KEY_FILE_BYTES:
            raise BackupKeyError(f"{path}:1: backup key: {info.st_size} bytes is not a key file (at most {MAX_KEY_FILE_BYTES})")
        return path.read_bytes().strip()
    except OSError as exc:
        raise BackupKeyError(f"{path}:1: backup key: cannot read ({exc.strerror or exc})") from None


def load_key(key_file: Path | None = None) -> BackupKey:
    """The operator's key, or ``BackupKeyError`` saying how to provide one."""
    if key_file is None and os.environ.get(KEY_FILE_ENV):
        key_file = Path(os.environ[KEY_FILE_ENV])
    if key_file is not None:
        secret, source = _from_file(key_file), str(key_file)
    elif os.environ.get(KEY_ENV):
        secret, source = os.environ[KEY_ENV].strip().encode("utf-8", "surrogateescape"), f"${KEY_ENV}"
    else:
        raise BackupKeyError(f"backup key: none given; {HOW}")
    if len(secret) < MIN_KEY_BYTES:
        raise BackupKeyError(f"{source}:1: backup key: {len(secret)} bytes is too short; {HOW}")
    return BackupKey(secret, source)
