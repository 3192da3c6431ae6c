"""``tenantctl invariants``: the invariant inventory, its freshness, coverage beside Checkov, and the gaps."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tenantctl.common import project_root

COVERAGE_START, COVERAGE_END = "<!-- coverage:start -->\n", "<!-- coverage:end -->"


def readme_with_coverage(readme: str, table: str) -> str:
    """The README with its coverage block replaced by ``table`` (unchanged when it has no block)."""
    start, end = readme.find(COVERAGE_START), readme.find(COVERAGE_END)
    if start < 0 or end < start:
        return readme
    return readme[: start + len(COVERAGE_START)] + table + readme[end:]


def invariants(
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when policies/INVARIANTS.md or the README table is stale.")
    ] = False,
    write: Annotated[
        bool, typer.Option("--write", help="Regenerate policies/INVARIANTS.md and the README coverage table.")
    ] = False,
    coverage: Annotated[bool, typer.Option("--coverage", help="Print the per-service coverage table beside Checkov's.")] = False,
    uncovered: Annotated[
        bool,
        typer.Option("--uncovered", help="Render the estate; list security-relevant properties no row covers (exit 1 if any)."),
    ] = False,
) -> None:
    """Print the invariant inventory (Markdown) generated from the inventory rows and the policies' metadata."""
    from tenantctl import invariants as inv

    root = project_root()
    readme_path = root / "README.md"
    if check or write:
        document = inv.inventory_markdown()
        readme = readme_path.read_text(encoding="utf-8") if readme_path.is_file() else ""
        fresh_readme = readme_with_coverage(readme, inv.coverage_markdown())
        if write:
            inv.INVENTORY_FILE.write_text(document, encoding="utf-8")
            if readme and fresh_readme != readme:
                readme_path.write_text(fresh_readme, encoding="utf-8")
            print(f"wrote {inv.INVENTORY_FILE.relative_to(root)}" + (" and the README coverage table" if readme else ""))
            return
        stale = []
        if not inv.INVENTORY_FILE.is_file() or inv.INVENTORY_FILE.read_text(encoding="utf-8") != document:
            stale.append(str(inv.INVENTORY_FILE.relative_to(root)))
        if fresh_readme != readme:
            stale.append("README.md (### Coverage)")
        if stale:
            print(f"stale: {', '.join(stale)}; run `tenantctl invariants --write`", file=sys.stderr)
            raise typer.Exit(1)
        print("policies/INVARIANTS.md and the README coverage table are up to date")
        return
    if coverage:
        sys.stdout.write(inv.coverage_markdown())
        return
    if uncovered:
        gaps = inv.uncovered(inv.rendered_estate(root))
        sys.stdout.write(inv.uncovered_markdown(gaps))
        print(f"{len(gaps)} security-relevant propert{'y' if len(gaps) == 1 else 'ies'} without a row", file=sys.stderr)
        if gaps:
            raise typer.Exit(1)
        return
    sys.stdout.write(inv.inventory_markdown())


def register(app: typer.Typer) -> None:
    app.command("invariants")(invariants)
