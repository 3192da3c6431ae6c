"""``tenantctl``: the operator's CLI.

Each command lives in ``tenantctl/commands/<name>.py`` and exposes ``register(app)``;
they are discovered here so that adding a command never edits this file.

Every command runs inside one guard: bad input that reaches a command as ``SpecErrors``
(tenant or stack files), a pydantic ``ValidationError`` or a ``RenderError`` is printed as
``path:line: field: message`` lines and exits 2. Anything else is a bug: it propagates (the
test runner shows it); the console entry point prints it as one line and exits 70, or
re-raises with ``TENANTCTL_DEBUG=1``.
"""

from __future__ import annotations

import functools
import importlib
import os
import pkgutil
import sys
from collections.abc import Callable, Iterable
from typing import Any

import typer
from pydantic import ValidationError

from spec.errors import SpecError, SpecErrors
from tenantctl import commands
from tenantctl.errors import RenderError

EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug, not the user's input

HELP = "Validate, plan, enforce and operate tenant-platform tenants."


def _command_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(commands.__path__))


def build_app(modules: Iterable[str] | None = None) -> typer.Typer:
    """The CLI with the commands of ``modules`` (default: every command module), each one guarded."""
    built = typer.Typer(name="tenantctl", help=HELP, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
    # A group even when one command is registered, so ``tenantctl validate ...`` parses the same either way.
    built.callback()(_root)
    for name in _command_modules() if modules is None else modules:
        importlib.import_module(f"tenantctl.commands.{name}").register(built)
    for registered in built.registered_commands:
        if registered.callback is not None:
            registered.callback = guarded(registered.callback)
    return built


def _root() -> None:
    pass


_APP: typer.Typer | None = None


def __getattr__(name: str) -> Any:
    """``tenantctl.cli.app``: every command, built on first use (the console entry point builds only the one it runs)."""
    global _APP
    if name == "app":
        if _APP is None:
            _APP = build_app()
        return _APP
    raise AttributeError(name)


def validation_lines(exc: ValidationError, where: str = "input") -> list[str]:
    """A ValidationError raised outside the tenant loader, one ``where:1: field: message`` line per error."""
    lines = []
    for err in exc.errors(include_url=False):
        field = ".".join(str(p) for p in err["loc"]) or "document"
        lines.append(str(SpecError(where, 1, field, str(err["msg"]))))
    return lines


def guarded(callback: Callable[..., Any]) -> Callable[..., Any]:
    """``callback`` with user-caused errors turned into clean lines and exit 2."""

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except SpecErrors as exc:
            lines = [str(e) for e in exc.errors]
        except ValidationError as exc:
            lines = validation_lines(exc)
        except RenderError as exc:
            # A tenant whose program cannot render (an impossible stack config) is bad input to plan, not a violation.
            lines = [str(exc)]
        for line in lines:
            print(line, file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)

    return run


def _invoked_app(argv: list[str]) -> typer.Typer:
    """Only the invoked command's module when its name is that module's (``validate`` loads neither the
    pack nor pandas nor a provider SDK); every command for ``--help`` and for any other name."""
    name = next((a for a in argv if not a.startswith("-")), None)
    module = name.replace("-", "_") if name else None
    if module and module in _command_modules():
        candidate = build_app([module])
        if any(c.name == name for c in candidate.registered_commands):
            return candidate
    return build_app()


def main() -> None:
    try:
        _invoked_app(sys.argv[1:])()
    except Exception as exc:  # a bug: one line for the operator, the traceback on request
        if os.environ.get("TENANTCTL_DEBUG"):
            raise
        detail = " ".join(str(exc).split()) or type(exc).__name__
        print(f"tenantctl:1: internal error: {type(exc).__name__}: {detail} (TENANTCTL_DEBUG=1 shows where)",
              file=sys.stderr)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
