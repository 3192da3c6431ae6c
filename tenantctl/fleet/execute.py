"""Run one operation over many stacks: waves in order, at most N stacks at once, per-stack timeout.

Isolation: each tenant's run gets its own stack, log file, pack config and cancel event; a
failure or a timeout only ever cancels that tenant's run. A wave starts only when every
tenant of the previous wave succeeded; the tenants of later waves are then reported skipped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TextIO

from tenantctl.fleet.runner import Operation, Runner, RunOutcome, StackRun


class Status(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    timed_out = "timed out"
    skipped = "skipped"

    @property
    def final(self) -> bool:
        return self not in (Status.queued, Status.running)


@dataclass
class TenantResult:
    tenant_id: str
    wave: int
    status: Status = Status.queued
    started: float | None = None
    finished: float | None = None
    outcome: RunOutcome | None = None
    error: str | None = None
    log_file: str | None = None

    @property
    def seconds(self) -> float | None:
        if self.started is None:
            return None
        return (self.finished or time.monotonic()) - self.started

    @property
    def failed(self) -> bool:
        return self.status in (Status.failed, Status.timed_out)

    def to_json(self) -> dict[str, Any]:
        outcome = self.outcome
        return {
            "tenant": self.tenant_id,
            "wave": self.wave,
            "status": self.status.value,
            "seconds": round(self.seconds, 3) if self.seconds is not None else None,
            "changes": dict(outcome.summary) if outcome else {},
            "drifted": bool(outcome and outcome.drifted),
            "drifted_resources": list(outcome.drifted) if outcome else [],
            "error": self.error,
            "log": self.log_file,
        }


@dataclass
class FleetResult:
    operation: Operation
    results: list[TenantResult] = field(default_factory=list)
    waves: list[list[str]] = field(default_factory=list)
    halted_after_wave: int | None = None

    @property
    def failed(self) -> list[str]:
        return [r.tenant_id for r in self.results if r.failed]

    @property
    def skipped(self) -> list[str]:
        return [r.tenant_id for r in self.results if r.status is Status.skipped]

    @property
    def drifted(self) -> list[str]:
        return [r.tenant_id for r in self.results if r.outcome and r.outcome.drifted]

    @property
    def exit_code(self) -> int:
        if self.failed or self.skipped:
            return 1
        if self.operation is Operation.drift and self.drifted:
            return 1
        return 0

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation.value,
            "ok": self.exit_code == 0,
            "exit_code": self.exit_code,
            "waves": self.waves,
            "halted_after_wave": self.halted_after_wave,
            "failed": self.failed,
            "skipped": self.skipped,
            "drifted": self.drifted,
            "tenants": [r.to_json() for r in self.results],
        }


Observer = Callable[[TenantResult], None]


@dataclass
class _Active:
    job: StackRun
    result: TenantResult
    thread: threading.Thread
    cancel: threading.Event
    box: list[RunOutcome | BaseException]
    deadline: float | None
    log: TextIO
    lock: threading.Lock


def _worker(
    runner: Runner, job: StackRun, log: TextIO, lock: threading.Lock, cancel: threading.Event, box: list[Any]
) -> None:
    def write(line: str) -> None:
        with lock:
            if not log.closed:
                log.write(line.rstrip("\n") + "\n")
                log.flush()

    try:
        box.append(runner.run(job, write, cancel))
    except BaseException as exc:  # a bug in one tenant's run must not take the fleet down
        box.append(exc)


def run_fleet(
    waves: list[list[StackRun]],
    runner: Runner,
    operation: Operation,
    parallel: int = 4,
    timeout: float | None = None,
    grace: float = 30.0,
    observer: Observer | None = None,
    poll: float = 0.02,
) -> FleetResult:
    """Run ``waves`` in order; see the module docstring for the guarantees."""
    if parallel < 1:
        raise ValueError("parallel must be ≥ 1")
    notify = observer or (lambda _r: None)
    fleet = FleetResult(operation=operation, waves=[[j.tenant_id for j in w] for w in waves])
    by_wave: list[list[TenantResult]] = []
    for number, wave in enumerate(waves, start=1):
        row = [TenantResult(j.tenant_id, number, log_file=str(j.log_file)) for j in wave]
        by_wave.append(row)
        fleet.results.extend(row)
    for result in fleet.results:
        notify(result)

    draining: list[_Active] = []  # timed-out runs still winding down: they keep their slot for `grace`
    for number, (wave, results) in enumerate(zip(waves, by_wave, strict=True), start=1):
        pending = list(zip(wave, results, strict=True))
        active: list[_Active] = []
        while pending or active:
            now = time.monotonic()
            draining = [d for d in draining if d.thread.is_alive() and (d.result.finished or now) + grace > now]
            while pending and len(active) + len(draining) < parallel:
                job, result = pending.pop(0)
                job.log_file.parent.mkdir(parents=True, exist_ok=True)
                log = job.log_file.open("w", encoding="utf-8")
                log.write(f"# tenantctl {operation.value} {job.stack} (wave {number})\n")
                cancel = threading.Event()
                box: list[Any] = []
                lock = threading.Lock()
                thread = threading.Thread(
                    target=_worker, args=(runner, job, log, lock, cancel, box), name=f"tenant-{job.tenant_id}", daemon=True
                )
                result.status, result.started = Status.running, time.monotonic()
                deadline = result.started + timeout if timeout else None
                active.append(_Active(job, result, thread, cancel, box, deadline, log, lock))
                thread.start()
                notify(result)
            still: list[_Active] = []
            for run in active:
                now = time.monotonic()
                if not run.thread.is_alive():
                    _finish(run)
                    notify(run.result)
                elif run.deadline is not None and now >= run.deadline:
                    run.cancel.set()
                    run.result.status, run.result.finished = Status.timed_out, now
                    run.result.error = f"timed out after {timeout:g}s: run cancelled"
                    with run.lock:
                        run.log.write(f"# {run.result.error}\n")
                        run.log.flush()
                    draining.append(run)
                    notify(run.result)
                else:
                    still.append(run)
            active = still
            if pending or active:
                time.sleep(poll)
        if any(r.failed for r in results):
            fleet.halted_after_wave = number if number < len(waves) else None
            for later in by_wave[number:]:
                for result in later:
                    result.status = Status.skipped
                    result.error = f"wave {number} did not succeed"
                    notify(result)
            break
    deadline = time.monotonic() + grace
    for run in draining:  # give cancelled runs their grace to leave the stack consistent
        run.thread.join(max(0.0, deadline - time.monotonic()))
        if not run.thread.is_alive():
            with run.lock:
                run.log.close()
    return fleet


def _finish(run: _Active) -> None:
    result = run.result
    result.finished = time.monotonic()
    value = run.box[0] if run.box else RuntimeError("the runner returned nothing")
    if isinstance(value, BaseException):
        result.status = Status.failed
        result.error = f"{type(value).__name__}: {value}"
        run.log.write(f"# error: {result.error}\n")
    else:
        result.outcome = value
        result.status = Status.succeeded if value.ok else Status.failed
        result.error = None if value.ok else (value.error or "failed")
        run.log.write(f"# {result.status.value}: {value.changes_text() if value.ok else result.error}\n")
    with run.lock:
        run.log.close()
