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

import json
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


class PackSession:
    """The engine's side of the analyzer protocol, whatever carries it (``PackClient``: gRPC; the
    in-process evaluator: direct calls). ``Configure`` reconciles the stack's config as the engine does."""

    transport = ""

    def __init__(self) -> None:
        self.info: pb.AnalyzerInfo | None = None
        # Per policy: schema validator and defaults, built once (the policies do not change within a session).
        self._schemas: dict[str, tuple[Any, str, dict[str, Any]]] | None = None

    def start(self) -> PackSession:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def policies(self) -> list[pb.PolicyInfo]:
        assert self.info is not None
        return list(self.info.policies)

    def _send_configure(self, request: pb.ConfigureAnalyzerRequest) -> None:
        raise NotImplementedError

    def _send_analyze(self, request: pb.AnalyzeRequest) -> list[Diagnostic]:
        raise NotImplementedError

    def _send_analyze_stack(self, request: pb.AnalyzeStackRequest) -> list[Diagnostic]:
        raise NotImplementedError

    def _policy_schemas(self) -> dict[str, tuple[Any, str, dict[str, Any]]]:
        if self._schemas is None:
            import jsonschema

            schemas = {}
            validators: dict[str, Any] = {}  # one validator per distinct schema (most policies share the context's)
            for policy in self.policies():
                props = json_format.MessageToDict(policy.configSchema.properties)
                schema = {
                    "type": "object",
                    "properties": props,
                    **({"required": list(policy.configSchema.required)} if policy.configSchema.required else {}),
                }
                defaults = {k: v["default"] for k, v in props.items() if isinstance(v, dict) and "default" in v}
                key = json.dumps(schema, sort_keys=True)
                if key not in validators:
                    validators[key] = jsonschema.Draft7Validator(schema)
                schemas[policy.name] = (validators[key], LEVEL_NAMES[policy.enforcementLevel], defaults)
            self._schemas = schemas
        return self._schemas

    def reconcile(self, config: Mapping[str, Any] | None) -> dict[str, tuple[str, dict[str, Any]]]:
        """The engine's reconciliation: each policy's default level and schema defaults, then the file."""
        schemas = self._policy_schemas()
        result: dict[str, tuple[str, dict[str, Any]]] = {
            name: (level, dict(defaults)) for name, (_, level, defaults) in schemas.items()
        }
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
        errors: list[str] = []
        checked: dict[tuple[int, str], list[str]] = {}  # policies sharing a schema and config are checked once
        for name, (_, props) in result.items():
            validator = schemas[name][0]
            key = (id(validator), json.dumps(props, sort_keys=True, default=str))
            if key not in checked:
                checked[key] = [error.message for error in validator.iter_errors(props)]
            errors.extend(f"Policy {name!r}: {message}" for message in checked[key])
        if errors:
            raise PackError("; ".join(errors))
        return result

    def configure(self, config: Mapping[str, Any] | None) -> None:
        request = pb.ConfigureAnalyzerRequest()
        structs: dict[str, struct_pb2.Struct] = {}  # many policies share one config: build each Struct once
        for name, (level, props) in self.reconcile(config).items():
            key = json.dumps(props, sort_keys=True, default=str)
            if key not in structs:
                structs[key] = _struct(props)
            request.policyConfig[name].CopyFrom(pb.PolicyConfig(enforcementLevel=LEVELS[level], properties=structs[key]))
        self._send_configure(request)

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

    @classmethod
    def analyze_request(cls, resource: AnalyzedResource) -> pb.AnalyzeRequest:
        """The ``Analyze`` request the engine sends for one resource."""
        request = pb.AnalyzeRequest(
            type=resource.type,
            properties=_struct(resource.properties),
            urn=resource.urn,
            name=resource.name,
            options=resource.options(),
        )
        provider = cls._provider(resource)
        if provider is not None:
            request.provider.CopyFrom(provider)
        return request

    def analyze(self, resource: AnalyzedResource) -> list[Diagnostic]:
        diagnostics = self._send_analyze(self.analyze_request(resource))
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
        return self._send_analyze_stack(self.stack_request(resources))


class PackClient(PackSession):
    """The pack in its own process, over gRPC: exactly what ``pulumi preview --policy-pack`` talks to."""

    transport = "grpc"

    def __init__(self, pack_dir: Path = PACK_DIR, python: str = sys.executable) -> None:
        super().__init__()
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

    def _send_configure(self, request: pb.ConfigureAnalyzerRequest) -> None:
        try:
            self.stub.Configure(request)
        except grpc.RpcError as exc:
            if exc.code() is not grpc.StatusCode.INVALID_ARGUMENT:  # type: ignore[attr-defined]
                raise
            raise PackError(str(exc.details())) from None  # type: ignore[attr-defined]

    def _send_analyze(self, request: pb.AnalyzeRequest) -> list[Diagnostic]:
        return self._diagnostics(self.stub.Analyze(request))

    def _send_analyze_stack(self, request: pb.AnalyzeStackRequest) -> list[Diagnostic]:
        return self._diagnostics(self.stub.AnalyzeStack(request))
