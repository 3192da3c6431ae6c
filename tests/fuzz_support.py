"""What the hostile-input tests share: a throwaway project, the CLI in process, and the outcome checks.

Profiles: the default run is short (CI); ``HYPOTHESIS_PROFILE=long`` runs many more examples.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from tenantctl.cli import app

ROOT = Path(__file__).resolve().parent.parent
ERROR_LINE = re.compile(r"^[^:]+:\d+: [^:]+: .+")
TIME_LIMIT_S = 30.0  # one CLI call on hostile input, on a loaded CI machine (imports are warmed up first)
MEMORY_LIMIT = 64 * 2**20  # peak Python allocations of one call

settings.register_profile(
    "default", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
settings.register_profile(
    "long", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def make_project(folder: Path) -> Path:
    """A project root with the example tenants and stacks (Pulumi.yaml marks it as the root).

    Also imports what ``plan`` loads lazily, so the first timed call does not pay for the SDK imports.
    """
    import tenantctl.policy.report
    import tenantctl.render  # noqa: F401

    (folder / "Pulumi.yaml").write_text("name: tenant-platform\nruntime: python\n", encoding="utf-8")
    shutil.copytree(ROOT / "tenants", folder / "tenants")
    shutil.copytree(ROOT / "stacks", folder / "stacks")
    return folder


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by content hash: what a refused input must leave unchanged."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@dataclass
class Outcome:
    exit_code: int
    output: str  # stdout and stderr interleaved
    stderr: str
    seconds: float
    peak_bytes: int


def run_cli(args: list[str], cwd: Path) -> Outcome:
    """``tenantctl args`` in process from ``cwd``; an exception escaping a command fails the test (a bug)."""
    previous = Path.cwd()
    os.chdir(cwd)
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = CliRunner().invoke(app, args, catch_exceptions=True)
    finally:
        seconds = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        os.chdir(previous)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"tenantctl {args[:3]} raised {type(result.exception).__name__}: {result.exception}") from (
            result.exception
        )
    return Outcome(result.exit_code, result.output, result.stderr, seconds, peak)


def assert_clean_refusal(outcome: Outcome, allowed: tuple[int, ...] = (2,)) -> None:
    """Exit code as allowed, no traceback, every error line parseable, within the time and memory bounds."""
    assert outcome.exit_code in allowed, (outcome.exit_code, outcome.output[-2000:])
    assert "Traceback" not in outcome.output, outcome.output[-2000:]
    assert outcome.seconds < TIME_LIMIT_S, outcome.seconds
    assert outcome.peak_bytes < MEMORY_LIMIT, outcome.peak_bytes
    if outcome.exit_code == 2:
        lines = [line for line in outcome.stderr.splitlines() if line.strip()]
        assert lines, "a refusal says why"
        for line in lines:
            if line.startswith(("ok ", "warning", "note")):
                continue
            assert ERROR_LINE.match(line), line
