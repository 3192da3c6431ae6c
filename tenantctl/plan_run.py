"""Render and analyse a fleet of tenants on every core, with the garbage collector out of the way.

- **Loading once**: the first tenant of each cloud renders in this process, which loads the provider
  SDK classes that cloud needs (and the pack's policies, in-process); worker processes are forked after
  that, so they share those modules instead of loading them again.
- **No GC tax**: the SDKs' ~10^6 long-lived objects are frozen out of collection (``gc.freeze``). During
  one tenant's rendering collection is paused; afterwards one collection frees that tenant's garbage
  and the survivors (its plan) are frozen too, so no later collection walks them again. Everything is
  unfrozen at the end, so a long-lived caller (tests) can free the plan later.
- **Workers**: ``jobs`` processes, each with its own mocks, event loop and pack session (in-process
  evaluator, or a pack process of its own over gRPC). Results come back by tenant index, so the output
  order is the input order whatever finishes first.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spec.errors import SpecErrors
from spec.loader import TenantFile
from tenantctl.errors import RenderError


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def paused_collection(collect: bool = True) -> Iterator[None]:
    """Collection paused for one tenant; then its garbage freed (unless ``collect`` is false) and what
    survives frozen. The first tenant of a cloud skips the collection: it would walk the ~10^6 SDK objects
    that tenant loaded just to find one tenant's garbage, which is bounded (one tenant per cloud)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        if collect:
            gc.collect()
        gc.freeze()


@dataclass
class Outcome:
    """One tenant's result as a worker sends it back (its ``TenantFile`` stays with the parent)."""

    index: int
    resources: list[Any] | None = None  # RenderedResource
    stack: Any = None  # StackConfig
    verdict: dict[str, Any] | None = None  # TenantVerdict's fields besides ``rendered``
    failures: list[str] = field(default_factory=list)


@dataclass
class _Job:
    tenants: list[TenantFile]
    root: Path
    today: dt.date
    policies: bool
    pack_dir: Path
    transport: str
    session: Any = None  # the pack session of this process, opened on first use
    loaded: set[str] = field(default_factory=set)  # clouds whose SDK this process has loaded


_JOB: _Job | None = None  # what forked workers inherit


def _session(job: _Job) -> Any:
    if job.session is None:
        from tenantctl.policy.inprocess import open_session

        job.session = open_session(job.transport, job.pack_dir)
        if job.transport == "grpc":
            # A worker's own pack process ends with the worker.
            multiprocessing.util.Finalize(job.session, job.session.close, exitpriority=10)
    return job.session


def _one(job: _Job, index: int) -> Outcome:
    from tenantctl.policy.enforce import enforce_one
    from tenantctl.render import render_tenant

    tenant = job.tenants[index]
    outcome = Outcome(index)
    first_of_cloud = tenant.spec.cloud not in job.loaded
    job.loaded.add(tenant.spec.cloud)
    with paused_collection(collect=not first_of_cloud):
        try:
            rendered = render_tenant(tenant, job.root)
        except SpecErrors as exc:  # its stack file is invalid
            outcome.failures = [str(e) for e in exc.errors]
            return outcome
        except RenderError as exc:
            outcome.failures = [str(exc)]
            return outcome
        outcome.resources, outcome.stack = rendered.resources, rendered.stack
        if job.policies:
            verdict = enforce_one(rendered, job.today, _session(job))
            outcome.verdict = {
                "violations": verdict.violations, "waivers": verdict.waivers,
                "analyzed": verdict.analyzed, "config": verdict.config,
            }
    return outcome


def _worker(index: int) -> Outcome:
    assert _JOB is not None
    return _one(_JOB, index)


def _warm_indexes(tenants: list[TenantFile]) -> list[int]:
    """The first tenant of each cloud: rendering it loads what every other tenant of that cloud needs."""
    seen: dict[str, int] = {}
    for i, tenant in enumerate(tenants):
        seen.setdefault(tenant.spec.cloud, i)
    return sorted(seen.values())


def run(
    tenants: list[TenantFile],
    root: Path,
    today: dt.date,
    *,
    policies: bool,
    pack_dir: Path,
    transport: str,
    jobs: int,
) -> tuple[list[Any], list[Any], list[str]]:
    """Rendered tenants, their verdicts (empty without ``policies``) and failure lines, in input order."""
    global _JOB
    from tenantctl.policy.enforce import TenantVerdict
    from tenantctl.render import RenderedTenant

    job = _Job(tenants, root, today, policies, pack_dir, transport)
    outcomes: dict[int, Outcome] = {}
    gc.freeze()  # what is loaded so far (the CLI, the spec, Pulumi) is never garbage
    try:
        jobs = max(1, min(jobs, len(tenants)))
        if jobs == 1:
            for i in range(len(tenants)):
                outcomes[i] = _one(job, i)
        else:
            # The pack's gRPC channel must not cross a fork: with grpc the parent analyses its tenants last.
            parent_enforces_now = transport != "grpc"
            job.policies = policies and parent_enforces_now
            for i in _warm_indexes(tenants):
                outcomes[i] = _one(job, i)
            if policies and parent_enforces_now:
                _session(job)  # the policies imported before the fork, shared by every worker
            job.policies = policies
            pending = [i for i in range(len(tenants)) if i not in outcomes]
            _JOB = job
            try:
                context = multiprocessing.get_context("fork")
                with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                    for outcome in pool.map(_worker, pending, chunksize=1):
                        outcomes[outcome.index] = outcome
            finally:
                _JOB = None
            if policies and not parent_enforces_now:
                _enforce_late(job, outcomes)
    finally:
        if job.session is not None:
            job.session.close()
        gc.unfreeze()
    rendered: list[Any] = []
    verdicts: list[Any] = []
    failures: list[str] = []
    for i, tenant in enumerate(tenants):
        outcome = outcomes[i]
        failures.extend(outcome.failures)
        if outcome.resources is None:
            continue
        r = RenderedTenant(tenant=tenant, stack=outcome.stack, resources=outcome.resources)
        rendered.append(r)
        if outcome.verdict is not None:
            verdicts.append(TenantVerdict(r, **outcome.verdict))
    return rendered, verdicts, failures


def _enforce_late(job: _Job, outcomes: dict[int, Outcome]) -> None:
    """Analyse, in this process, the tenants it rendered itself before forking (grpc transport)."""
    from tenantctl.policy.enforce import enforce_one
    from tenantctl.render import RenderedTenant

    for i, outcome in outcomes.items():
        if outcome.resources is not None and outcome.verdict is None:
            rendered = RenderedTenant(tenant=job.tenants[i], stack=outcome.stack, resources=outcome.resources)
            verdict = enforce_one(rendered, job.today, _session(job))
            outcome.verdict = {
                "violations": verdict.violations, "waivers": verdict.waivers,
                "analyzed": verdict.analyzed, "config": verdict.config,
            }
