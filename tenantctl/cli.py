"""``tenantctl``: the operator's CLI.

Each command lives in ``tenantctl/commands/<name>.py`` and exposes ``register(app)``;
they are discovered here so that adding a command never edits this file.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

from tenantctl import commands

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
    app()


if __name__ == "__main__":
    main()
