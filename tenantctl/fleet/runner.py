"""The runner interface: one stack operation for one tenant, and what came of it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol


class Operation(StrEnum):
    preview = "preview"
    up = "up"
    destroy = "destroy"
    refresh = "refresh"
    drift = "drift"  # refresh in preview-only mode: nothing written to the stack

    @property
    def uses_policy_pack(self) -> bool:
        """The engine runs analyzers on preview and up; refresh and destroy never consult them."""
        return self in (Operation.preview, Operation.up)

    @property
    def changes_stack(self) -> bool:
        return self in (Operation.up, Operation.destroy, Operation.refresh)


@dataclass(frozen=True)
class StackRun:
    """Everything a runner needs for one tenant's stack: no other state is shared between tenants."""

    tenant_id: str
    stack: str
    operation: Operation
    work_dir: Path  # the project folder holding Pulumi.yaml
    config_file: Path  # stacks/Pulumi.<stack>.yaml (Pulumi.yaml: stackConfigDir: stacks)
    backend_url: str
    log_file: Path
    policy_pack: Path | None = None
    policy_pack_config: Path | None = None
    parallel: int | None = None  # engine-level resource parallelism inside the stack


@dataclass
class RunOutcome:
    ok: bool
    summary: dict[str, int] = field(default_factory=dict)  # engine change summary, e.g. {"create": 3, "same": 9}
    drifted: list[str] = field(default_factory=list)  # URNs whose live state differs (drift only)
    error: str | None = None

    def changes_text(self) -> str:
        shown = {k: v for k, v in self.summary.items() if k != "same" and v}
        return " ".join(f"{k} {v}" for k, v in sorted(shown.items())) or "no changes"


LogFn = Callable[[str], None]


class Runner(Protocol):
    """Runs one operation on one stack. Must return (or raise) promptly once ``cancel`` is set."""

    def run(self, job: StackRun, log: LogFn, cancel: threading.Event) -> RunOutcome: ...


class FleetError(Exception):
    """A problem the operator must fix before anything runs (exit 2)."""
