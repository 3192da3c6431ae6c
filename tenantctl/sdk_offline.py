"""What offline rendering switches off in the Pulumi SDK, because nothing offline reads it.

- **Aliases** (public API): a stack transformation drops ``opts.aliases`` before the SDK turns each alias
  into a URN (azure-native types carry 20-113 version aliases each). The mocks never receive them,
  the plan does not record them, and no policy sees them.
- **Per-resource stack traces** (private hook, the only one): ``pulumi.runtime.resource._get_stack_trace``
  walks the whole Python stack for every registration so the engine can show source positions. The SDK
  offers no option to turn it off, so ``no_stack_traces`` swaps that one function for the duration of a
  rendering and puts it back after. ``tests/test_sdk_offline.py`` fails loudly when the SDK changes
  (the function gone, renamed, or no longer what registration calls).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager

import pulumi
from pulumi.runtime import resource as _sdk_resource
from pulumi.runtime.proto import source_pb2

HOOK = "_get_stack_trace"  # the private SDK function ``no_stack_traces`` replaces


def drop_aliases(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
    """A stack transformation: the resource without its aliases (transformations run before the SDK expands them)."""
    if not args.opts.aliases:
        return None
    opts = copy.copy(args.opts)
    opts.aliases = None
    return pulumi.ResourceTransformationResult(args.props, opts)


def _no_trace() -> source_pb2.StackTrace:
    return source_pb2.StackTrace()


@contextmanager
def no_stack_traces() -> Iterator[None]:
    """Registrations inside carry an empty stack trace (and so no source position)."""
    original = getattr(_sdk_resource, HOOK)
    setattr(_sdk_resource, HOOK, _no_trace)
    try:
        yield
    finally:
        setattr(_sdk_resource, HOOK, original)
