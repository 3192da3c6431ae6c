"""The README's tier table is the one the code uses."""

from __future__ import annotations

from pathlib import Path

from tenantctl.commands.policies import policy_table_markdown
from tenantctl.commands.tiers import tier_table_markdown

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_tier_table_matches_the_tier_defaults() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = "<!-- tiers:start -->\n", "<!-- tiers:end -->"
    table = text[text.index(start) + len(start) : text.index(end)]
    assert table == tier_table_markdown(), "README tier table is stale: paste the output of `tenantctl tiers`"


def test_readme_starts_with_the_two_commands() -> None:
    head = README.read_text(encoding="utf-8").splitlines()[:6]
    assert any(line.startswith("make plan") for line in head)
    assert any(line.startswith("make test") for line in head)


def test_readme_policy_table_lists_every_policy_of_the_pack() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = "<!-- policies:start -->\n", "<!-- policies:end -->"
    table = text[text.index(start) + len(start) : text.index(end)]
    assert table == policy_table_markdown(), "README policy table is stale: paste `tenantctl policies --markdown`"
