"""The forecaster's user-facing error, importable without pandas (the CLI loads every command at start)."""

from __future__ import annotations


class HistoryError(Exception):
    """Bad input a user can fix; ``str()`` is ``path:line: message``."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message
