"""``tenantctl``: the operator's CLI.

Each command lives in ``tenantctl/commands/<name>.py`` and exposes ``register(app)``;
they are discovered here so that adding a command never edits this file.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import typer

from tenantctl import commands
from tenantctl.errors import RenderError

app = typer.Typer(
    name="tenantctl",
    help="Validate, plan, enforce and operate tenant-platform tenants.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
    importlib.import_module(f"tenantctl.commands.{info.name}").register(app)


def main() -> None:
    try:
        app()
    except RenderError as exc:
        # A component failed to render: report it as one line; the traceback helps nobody operating the fleet.
        print(str(exc), file=sys.stderr)
        if os.environ.get("TENANTCTL_DEBUG"):
            raise
        sys.exit(1)


if __name__ == "__main__":
    main()
