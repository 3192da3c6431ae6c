"""The SDK work offline rendering switches off is really off, and the one private hook still exists.

If a Pulumi SDK upgrade renames or stops calling ``pulumi.runtime.resource._get_stack_trace``, or runs
transformations after expanding aliases, these tests fail here rather than letting rendering slow down
(or break) silently.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pulumi
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime.mocks import MockMonitor

from tenantctl import sdk_offline


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        return {}


class _Recording(MockMonitor):
    def __init__(self) -> None:
        super().__init__(_Mocks())
        self.requests: list[Any] = []

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        self.requests.append(request)
        return super().RegisterResource(request)


class _Thing(pulumi.CustomResource):
    """A typed resource, as a provider SDK's classes are (the SDK's stack trace starts at the third ``__init__``)."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__("test:index:Thing", name, {"size": 1}, opts)


def _register(offline: bool) -> Any:
    """One resource with an alias, under mocks; the RegisterResource request the monitor received."""
    monitor = _Recording()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    collapsed: list[int] = []
    original = sdk_resource_collapse = pulumi.resource.collapse_alias_to_urn

    def counting(*args: Any, **kwargs: Any) -> Any:
        collapsed.append(1)
        return sdk_resource_collapse(*args, **kwargs)

    def program() -> None:
        if offline:
            pulumi.runtime.register_stack_transformation(sdk_offline.drop_aliases)
        _Thing("thing", pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old-thing")]))

    try:
        pulumi.runtime.reset_options(project="p", stack="s", preview=False)
        pulumi.runtime.set_mocks(_Mocks(), project="p", stack="s", preview=False, monitor=monitor)
        pulumi.resource.collapse_alias_to_urn = counting  # type: ignore[assignment]
        if offline:
            with sdk_offline.no_stack_traces():
                pulumi.runtime.test(program)()
        else:
            pulumi.runtime.test(program)()
    finally:
        pulumi.resource.collapse_alias_to_urn = original  # type: ignore[assignment]
        loop.close()
        asyncio.set_event_loop(None)
    [request] = [r for r in monitor.requests if r.type == "test:index:Thing"]
    return request, len(collapsed)


def test_the_private_hook_exists_and_is_what_registration_calls() -> None:
    assert callable(getattr(sdk_resource, sdk_offline.HOOK, None)), "pulumi.runtime.resource._get_stack_trace is gone"
    assert f"{sdk_offline.HOOK}()" in inspect.getsource(sdk_resource.register_resource), (
        "register_resource no longer calls _get_stack_trace: update tenantctl/sdk_offline.py"
    )


def test_online_the_sdk_sends_a_stack_trace_and_expands_aliases() -> None:
    """The control: without the offline switches the SDK does the work they remove."""
    request, collapsed = _register(offline=False)
    assert len(request.stackTrace.frames) > 0
    assert collapsed == 1 and len(request.aliases) == 1


def test_offline_no_stack_trace_and_no_alias_is_built() -> None:
    request, collapsed = _register(offline=True)
    assert len(request.stackTrace.frames) == 0
    assert not request.HasField("sourcePosition")
    assert collapsed == 0 and len(request.aliases) == 0
    assert dict(request.object)["size"] == 1  # the inputs are untouched


def test_the_hook_is_put_back_after_rendering() -> None:
    before = getattr(sdk_resource, sdk_offline.HOOK)
    with sdk_offline.no_stack_traces():
        assert getattr(sdk_resource, sdk_offline.HOOK) is not before
    assert getattr(sdk_resource, sdk_offline.HOOK) is before
