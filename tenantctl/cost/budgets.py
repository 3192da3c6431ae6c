"""Budget amounts per tenant stack: the cost estimate's expected month plus a margin, written to the stack file.

The amount lives in ``stacks/Pulumi.<id>.yaml`` as ``tenant-platform:monthlyBudget`` so it is reviewed
like any other config change and the real ``pulumi up`` reads the same number the offline plan shows.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from components.budget_amount import MARGIN
from tenantctl.cost.estimate import TenantCost
from tenantctl.stack_config import NS, read_stack_file, stack_file

KEY = f"{NS}:monthlyBudget"
ROUND_TO = 10  # whole tens of dollars: a budget is a threshold, not an invoice


@dataclass(frozen=True)
class BudgetLine:
    tenant: str
    stack_file: Path
    expected_usd: float
    suggested_usd: int
    current_usd: float | None

    @property
    def stale(self) -> bool:
        """Absent, or below the expected month (it would alert every month), or more than double the suggestion."""
        current = self.current_usd
        return current is None or current < self.expected_usd or current > 2 * self.suggested_usd


def suggested(expected: float) -> int:
    return int(math.ceil(expected * (1 + MARGIN) / ROUND_TO) * ROUND_TO)


def budget_lines(costs: list[TenantCost], root: Path) -> list[BudgetLine]:
    out = []
    for cost in costs:
        path = stack_file(root, cost.tenant)
        value = read_stack_file(path).get(KEY) if path.exists() else None
        current = float(value) if isinstance(value, (int, float, str)) and str(value).replace(".", "", 1).isdigit() else None
        expected = cost.total().expected
        out.append(BudgetLine(cost.tenant, path, expected, suggested(expected), current))
    return out


def write(line: BudgetLine) -> None:
    """Set the amount in the stack file (comments and order kept), creating the file's ``config`` if needed."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    document = yaml.load(line.stack_file.read_text(encoding="utf-8")) if line.stack_file.exists() else CommentedMap()
    if not isinstance(document, CommentedMap):
        document = CommentedMap()
    config = document.get("config")
    if not isinstance(config, CommentedMap):
        config = CommentedMap()
        document["config"] = config
    config[KEY] = line.suggested_usd
    out = io.StringIO()
    yaml.dump(document, out)
    line.stack_file.parent.mkdir(parents=True, exist_ok=True)
    scratch = line.stack_file.with_name(f".{line.stack_file.name}.tmp")
    scratch.write_text(out.getvalue(), encoding="utf-8")
    scratch.replace(line.stack_file)
