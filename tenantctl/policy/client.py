"""Talk to the policy pack exactly as the Pulumi engine does, over the analyzer gRPC protocol.

The pack's program is started the way the CLI starts a Python pack
(``python -u -m pulumi.policy <engine address> <pack folder>``, cwd = the pack folder); it
prints its port on stdout's first line. Then: ``GetAnalyzerInfo``, ``Configure`` (the
engine's reconciliation: schema defaults, then the stack's config file), ``Analyze`` per
resource and ``AnalyzeStack`` once per stack. One process serves a whole fleet.

The Python analyzer only dials the engine address when ``PULUMI_PROJECT``, ``PULUMI_STACK``
and ``PULUMI_DRY_RUN`` are set; they are removed from its environment, so no engine stub is
needed and logs from policies go to its stderr.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi.runtime.proto import analyzer_pb2_grpc

from tenantctl.policy.catalog import PACK_DIR

LEVELS = {"advisory": pb.ADVISORY, "mandatory": pb.MANDATORY, "disabled": pb.DISABLED, "remediate": pb.REMEDIATE}
LEVEL_NAMES = {v: k for k, v in LEVELS.items()}
SEVERITIES = {0: "unspecified", 1: "low", 2: "medium", 3: "high", 4: "critical"}
START_TIMEOUT = 60.0


class PackError(RuntimeError):
    """The pack did not start, or its config was rejected (as the engine would reject it)."""


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    level: str
    severity: str
    urn: str
    message: str  # what must be true (the pack's message without the policy description)
    description: str


@dataclass(frozen=True)
class AnalyzedResource:
    """What the engine sends about one resource."""

    type: str
    urn: str
    name: str
    properties: Mapping[str, Any]
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    provider: AnalyzedResource | None = None
    # property → the URNs its value came from (only properties that depend on another resource)
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    additional_secret_outputs: tuple[str, ...] = ()

    def options(self) -> pb.AnalyzerResourceOptions:
        return pb.AnalyzerResourceOptions(
            parent=self.parent or "", additionalSecretOutputs=list(self.additional_secret_outputs)
        )


def _struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    json_format.ParseDict(_jsonable(values), out)
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return str(value)


class PackClient:
    def __init__(self, pack_dir: Path = PACK_DIR, python: str = sys.executable) -> None:
        self.pack_dir = pack_dir.resolve()
        self.python = python
        self.process: subprocess.Popen[bytes] | None = None
        self.channel: grpc.Channel | None = None
        self._stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self.info: pb.AnalyzerInfo | None = None
        self.startup_seconds = 0.0
        self._stderr: list[bytes] = []

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> PackClient:
        began = time.perf_counter()
        env = {
            k: v for k, v in os.environ.items() if k not in {"PULUMI_PROJECT", "PULUMI_STACK", "PULUMI_DRY_RUN", "PULUMI_CONFIG"}
        }
        env["PYTHONUNBUFFERED"] = "1"
        self.process = subprocess.Popen(
            [self.python, "-u", "-m", "pulumi.policy", "127.0.0.1:0", str(self.pack_dir)],
            cwd=self.pack_dir,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        port = self._read_port()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(self.channel).result(timeout=START_TIMEOUT)
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
        self.info = self._stub.GetAnalyzerInfo(empty_pb2.Empty())
        self.startup_seconds = time.perf_counter() - began
        return self

    def _drain_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        for line in self.process.stderr:
            self._stderr.append(line)

    def _read_port(self) -> int:
        assert self.process is not None and self.process.stdout is not None
        result: list[bytes] = []
        reader = threading.Thread(target=lambda: result.append(self.process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(START_TIMEOUT)
        line = result[0].decode().strip() if result else ""
        if not line.isdigit():
            self.close()
            raise PackError(f"policy pack {self.pack_dir} did not start: {self.stderr()[-2000:] or line or 'no output'}")
        return int(line)

    def stderr(self) -> str:
        return b"".join(self._stderr).decode(errors="replace")

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            for pipe in (self.process.stdout, self.process.stderr):
                if pipe is not None:
                    pipe.close()
            self.process = None

    def __enter__(self) -> PackClient:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def stub(self) -> analyzer_pb2_grpc.AnalyzerStub:
        if self._stub is None:
            raise PackError("the policy pack is not started")
        return self._stub

    # ------------------------------------------------------------------ protocol

    def policies(self) -> list[pb.PolicyInfo]:
        assert self.info is not None
        return list(self.info.policies)

    def reconcile(self, config: Mapping[str, Any] | None) -> dict[str, tuple[str, dict[str, Any]]]:
        """The engine's reconciliation: each policy's default level and schema defaults, then the file."""
        import jsonschema

        result: dict[str, tuple[str, dict[str, Any]]] = {}
        schemas: dict[str, dict[str, Any]] = {}
        for policy in self.policies():
            props = json_format.MessageToDict(policy.configSchema.properties)
            schemas[policy.name] = {
                "type": "object",
                "properties": props,
                **({"required": list(policy.configSchema.required)} if policy.configSchema.required else {}),
            }
            defaults = {k: v["default"] for k, v in props.items() if isinstance(v, dict) and "default" in v}
            result[policy.name] = (LEVEL_NAMES[policy.enforcementLevel], defaults)
        config = dict(config or {})
        everything = config.get("all")
        if isinstance(everything, str):
            result = {k: (everything, v) for k, (_, v) in result.items()}
        for name, given in config.items():
            if name not in result:
                continue
            level, props = result[name]
            if isinstance(given, str):
                level = given
            elif isinstance(given, Mapping):
                given = dict(given)
                level = str(given.pop("enforcementLevel", level))
                props = {**props, **given}
            if level not in LEVELS:
                raise PackError(f"Value {level!r} for {name!r} is not a valid enforcement level")
            result[name] = (level, props)
        errors = []
        for name, (_, props) in result.items():
            for error in jsonschema.Draft7Validator(schemas[name]).iter_errors(props):
                errors.append(f"Policy {name!r}: {error.message}")
        if errors:
            raise PackError("; ".join(errors))
        return result

    def configure(self, config: Mapping[str, Any] | None) -> None:
        request = pb.ConfigureAnalyzerRequest()
        for name, (level, props) in self.reconcile(config).items():
            request.policyConfig[name].CopyFrom(pb.PolicyConfig(enforcementLevel=LEVELS[level], properties=_struct(props)))
        try:
            self.stub.Configure(request)
        except grpc.RpcError as exc:
            if exc.code() is not grpc.StatusCode.INVALID_ARGUMENT:  # type: ignore[attr-defined]
                raise
            raise PackError(str(exc.details())) from None  # type: ignore[attr-defined]

    def _diagnostics(self, response: pb.AnalyzeResponse) -> list[Diagnostic]:
        out = []
        for d in response.diagnostics:
            message = d.message
            if message.startswith(d.description):
                message = message[len(d.description) :].lstrip("\n")
            out.append(
                Diagnostic(
                    d.policyName,
                    LEVEL_NAMES.get(d.enforcementLevel, "advisory"),
                    SEVERITIES.get(d.severity, "unspecified"),
                    d.urn,
                    message,
                    d.description,
                )
            )
        return out

    @staticmethod
    def _provider(resource: AnalyzedResource) -> pb.AnalyzerProviderResource | None:
        p = resource.provider
        if p is None:
            return None
        return pb.AnalyzerProviderResource(type=p.type, properties=_struct(p.properties), urn=p.urn, name=p.name)

    def analyze(self, resource: AnalyzedResource) -> list[Diagnostic]:
        request = pb.AnalyzeRequest(
            type=resource.type,
            properties=_struct(resource.properties),
            urn=resource.urn,
            name=resource.name,
            options=resource.options(),
        )
        provider = self._provider(resource)
        if provider is not None:
            request.provider.CopyFrom(provider)
        diagnostics = self._diagnostics(self.stub.Analyze(request))
        return [
            d if d.urn else Diagnostic(d.policy, d.level, d.severity, resource.urn, d.message, d.description) for d in diagnostics
        ]

    @classmethod
    def stack_request(cls, resources: Iterable[AnalyzedResource]) -> pb.AnalyzeStackRequest:
        """The ``AnalyzeStack`` request the engine builds: each resource with parent, dependencies,
        property dependencies, provider and options, so stack policies see the engine's view."""
        request = pb.AnalyzeStackRequest()
        for r in resources:
            item = pb.AnalyzerResource(
                type=r.type,
                properties=_struct(r.properties),
                urn=r.urn,
                name=r.name,
                parent=r.parent or "",
                dependencies=list(r.dependencies),
                options=r.options(),
            )
            for key, urns in r.property_dependencies.items():
                item.propertyDependencies[key].urns.extend(urns)
            provider = cls._provider(r)
            if provider is not None:
                item.provider.CopyFrom(provider)
            request.resources.append(item)
        return request

    def analyze_stack(self, resources: Iterable[AnalyzedResource]) -> list[Diagnostic]:
        return self._diagnostics(self.stub.AnalyzeStack(self.stack_request(resources)))
