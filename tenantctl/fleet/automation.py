"""The real runner: the Pulumi Automation API on this project (a few lines by design).

``LocalWorkspace`` runs in the project folder, so the CLI reads ``Pulumi.yaml`` and with
it ``stackConfigDir: stacks``; each operation also names its stack file explicitly
(``--config-file stacks/Pulumi.<stack>.yaml``). ``preview`` and ``up`` always carry the
policy pack (``--policy-pack policies``) and the tenant's generated pack config
(``--policy-pack-config``), so a waiver that has expired is not honoured.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from pathlib import Path
from typing import Any

from tenantctl.fleet.runner import FleetError, LogFn, Operation, RunOutcome, StackRun

INSTALL_HINT = (
    "the Pulumi CLI is not installed (or not on PATH): install it with "
    "`curl -fsSL https://get.pulumi.com | sh` (see https://www.pulumi.com/docs/iac/download-install/), then retry"
)
DRIFT_OPS = {"update", "delete", "replace", "create", "create-replacement", "delete-replaced"}


class PulumiCliMissingError(FleetError):
    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


def pulumi_cli() -> str | None:
    """Path of the ``pulumi`` binary the Automation API would run, or None."""
    found = shutil.which("pulumi")
    if found:
        return found
    home = Path(os.environ.get("PULUMI_HOME") or Path.home() / ".pulumi")
    candidate = home / "bin" / "pulumi"
    return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None


def default_backend(root: Path) -> str:
    """A local file backend in the repo's ignored ``state/`` folder."""
    return f"file://{(root / 'state').resolve()}"


def resolve_backend(root: Path, backend: str | None) -> str:
    """``--backend``, else ``PULUMI_BACKEND_URL``, else the local file backend."""
    return backend or os.environ.get("PULUMI_BACKEND_URL") or default_backend(root)


def passphrase_note(backend_url: str) -> str | None:
    """Self-managed backends encrypt stack secrets with a passphrase the CLI cannot ask for here."""
    if backend_url.startswith("https://"):
        return None
    if os.environ.get("PULUMI_CONFIG_PASSPHRASE") is not None or os.environ.get("PULUMI_CONFIG_PASSPHRASE_FILE"):
        return None
    return (
        f"note: backend {backend_url} uses the passphrase secrets provider: "
        "set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) for stacks with secrets"
    )


def workspace_env(job: StackRun) -> dict[str, str]:
    return {"PULUMI_BACKEND_URL": job.backend_url}


def secrets_provider(backend_url: str) -> str | None:
    return None if backend_url.startswith("https://") else "passphrase"


def operation_kwargs(job: StackRun) -> dict[str, Any]:
    """Keyword arguments for the ``Stack`` method of ``job.operation`` (callbacks excluded)."""
    kwargs: dict[str, Any] = {"config_file": str(job.config_file), "color": "never"}
    if job.parallel:
        kwargs["parallel"] = job.parallel
    if job.operation.uses_policy_pack:
        if job.policy_pack is None or job.policy_pack_config is None:
            raise FleetError(f"{job.tenant_id}: {job.operation.value} needs the policy pack and its config")
        kwargs["policy_packs"] = [str(job.policy_pack)]
        kwargs["policy_pack_configs"] = [str(job.policy_pack_config)]
    if job.operation is Operation.drift:
        kwargs["preview_only"] = True
    if job.operation is Operation.preview:
        kwargs["diff"] = True
    return kwargs


def method_name(operation: Operation) -> str:
    return "refresh" if operation is Operation.drift else operation.value


class _Process:
    """The CLI process of one run, so that a timeout can interrupt it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.processes: list[subprocess.Popen[str]] = []

    def interrupt(self, sig: int) -> None:
        with self.lock:
            for process in self.processes:
                if process.poll() is None:
                    process.send_signal(sig)


def _tracked_command(tracker: _Process) -> Any:
    """A ``PulumiCommand`` that remembers its CLI processes, so that a timeout can signal them.

    Same contract as the SDK's ``PulumiCommand.run``: non-interactive, output streamed
    line by line to the callbacks, ``CommandError`` on a non-zero exit.
    """
    from pulumi.automation import CommandResult, PulumiCommand
    from pulumi.automation.errors import create_command_error

    class TrackedCommand(PulumiCommand):  # type: ignore[misc]
        def run(
            self,
            args: list[str],
            cwd: str,
            additional_env: Any,
            on_output: LogFn | None = None,
            on_error: LogFn | None = None,
        ) -> Any:
            if "--non-interactive" not in args:
                args.insert(0, "--non-interactive")
            env = {**os.environ, **additional_env, "PULUMI_AUTOMATION_API": "true"}
            chunks: dict[str, list[str]] = {"out": [], "err": []}

            def consume(stream: Any, callback: LogFn | None, key: str) -> None:
                for line in iter(stream.readline, ""):
                    stripped = line.rstrip()
                    if callback:
                        callback(stripped)
                    chunks[key].append(stripped)
                stream.close()

            with subprocess.Popen(
                [self.command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env,
                encoding="utf-8",
            ) as process:
                with tracker.lock:
                    tracker.processes.append(process)
                readers = [
                    threading.Thread(target=consume, args=(process.stdout, on_output, "out")),
                    threading.Thread(target=consume, args=(process.stderr, on_error, "err")),
                ]
                for reader in readers:
                    reader.start()
                for reader in readers:
                    reader.join()
                code = process.wait()
            result = CommandResult(stdout="\n".join(chunks["out"]), stderr="\n".join(chunks["err"]), code=code)
            if code != 0:
                raise create_command_error(result)
            return result

    binary = Path(pulumi_cli() or "pulumi")
    root = str(binary.parent.parent) if binary.parent.name == "bin" else None  # PulumiCommand runs <root>/bin/pulumi
    return TrackedCommand(root=root, skip_version_check=True)


class AutomationRunner:
    """Runs stack operations through ``pulumi.automation`` (requires the Pulumi CLI)."""

    def __init__(self, grace_seconds: float = 60.0) -> None:
        self.grace_seconds = grace_seconds

    @staticmethod
    def create() -> AutomationRunner:
        if pulumi_cli() is None:
            raise PulumiCliMissingError()
        return AutomationRunner()

    def stack(self, job: StackRun, command: Any = None) -> Any:
        from pulumi import automation as auto

        opts = auto.LocalWorkspaceOptions(
            work_dir=str(job.work_dir),
            env_vars=workspace_env(job),
            secrets_provider=secrets_provider(job.backend_url),
            pulumi_command=command,
        )
        return auto.create_or_select_stack(stack_name=job.stack, work_dir=str(job.work_dir), opts=opts)

    def run(self, job: StackRun, log: LogFn, cancel: threading.Event) -> RunOutcome:
        from pulumi import automation as auto

        tracker = _Process()
        done = threading.Event()

        def watchdog() -> None:
            # Timeout: SIGINT first (the engine finishes the steps in flight and writes its
            # checkpoint, so the stack stays consistent), SIGTERM only after a grace period.
            if cancel.wait() and not done.is_set():
                log("cancelled: interrupting the Pulumi CLI")
                tracker.interrupt(signal.SIGINT)
                if not done.wait(self.grace_seconds):
                    tracker.interrupt(signal.SIGTERM)

        threading.Thread(target=watchdog, daemon=True).start()
        try:
            stack = self.stack(job, _tracked_command(tracker))
            drifted: list[str] = []

            def on_event(event: Any) -> None:
                pre = getattr(event, "resource_pre_event", None)
                meta = getattr(pre, "metadata", None)
                if meta is None:
                    return
                op = str(getattr(meta.op, "value", meta.op))
                if op in DRIFT_OPS or (op == "refresh" and meta.diffs):
                    drifted.append(meta.urn)

            kwargs = operation_kwargs(job)
            kwargs["on_output"] = log
            if job.operation is Operation.drift:
                kwargs["on_event"] = on_event
            result = getattr(stack, method_name(job.operation))(**kwargs)
            summary = getattr(result, "change_summary", None) or getattr(result.summary, "resource_changes", None)
            return RunOutcome(ok=True, summary=dict(summary or {}), drifted=sorted(set(drifted)))
        except auto.CommandError as exc:
            lines = [line for line in str(exc.stderr if hasattr(exc, "stderr") else exc).splitlines() if line.strip()]
            return RunOutcome(ok=False, error=lines[-1] if lines else str(exc))
        finally:
            done.set()
            cancel.set()  # releases the watchdog thread

    def export(self, job: StackRun) -> dict[str, Any]:
        """``pulumi stack export`` of the job's stack, as JSON."""
        deployment = self.stack(job).export_stack()
        return {"version": deployment.version, "deployment": deployment.deployment}

    def import_state(self, job: StackRun, state: dict[str, Any]) -> None:
        from pulumi.automation import Deployment

        self.stack(job).import_stack(Deployment(version=state.get("version"), deployment=state.get("deployment")))
