"""Budgets: every tenant stack renders its cloud's budget, alerting the tenant's channels at 80% and 100% of its amount."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from components.budget_amount import MARGIN, TIER_DEFAULT_USD
from spec.loader import load_tenant
from tenantctl.cli import app
from tenantctl.cost.fleet import estimate_fleet
from tenantctl.cost.usage import UsageFile
from tenantctl.render import RenderedResource, RenderedTenant, render_tenant

ROOT = Path(__file__).resolve().parent.parent
BUDGET_TYPES = {
    "aws": "aws:budgets/budget:Budget",
    "azure": "azure-native:consumption:Budget",
    "gcp": "gcp:billing/budget:Budget",
}


def _project(tmp_path: Path, *tenants: str) -> Path:
    project = tmp_path / "project"
    (project / "tenants").mkdir(parents=True)
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "stacks", project / "stacks")
    for tenant in tenants:
        shutil.copy(ROOT / "tenants" / f"{tenant}.yaml", project / "tenants")
    return project


def _budget_resource(rendered: RenderedTenant) -> RenderedResource:
    cloud = rendered.tenant.spec.cloud
    wanted = BUDGET_TYPES[cloud]
    found = [r for r in rendered.resources if r.custom and re.sub(r"^(azure-native:\w+)/v\w+:", r"\1:", r.type) == wanted]
    assert len(found) == 1, [r.type for r in found]
    return found[0]


def _budget(rendered: RenderedTenant) -> dict:
    return _budget_resource(rendered).inputs


def _stack_amount(project: Path, tenant: str) -> float | None:
    path = project / "stacks" / f"Pulumi.{tenant}.yaml"
    config = (YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}).get("config") or {}
    value = config.get("tenant-platform:monthlyBudget")
    return None if value is None else float(value)


@pytest.mark.parametrize("tenant", ["hobby-free", "fabrikam-standard", "initech-standard"])
def test_each_cloud_renders_a_budget_alerting_the_tenants_channels(tenant: str) -> None:
    loaded = load_tenant(ROOT / "tenants" / f"{tenant}.yaml")
    rendered = render_tenant(loaded, ROOT)
    budget = _budget_resource(rendered)
    inputs, deps = budget.inputs, budget.property_dependencies
    amount = _stack_amount(ROOT, tenant) or TIER_DEFAULT_USD[loaded.spec.tier]
    cloud = loaded.spec.cloud
    if cloud == "aws":
        topic = rendered.one("aws:sns/topic:Topic")
        assert float(inputs["limitAmount"]) == pytest.approx(amount)
        assert inputs["timeUnit"] == "MONTHLY" and inputs["budgetType"] == "COST"
        assert inputs["costFilters"] == [{"name": "TagKeyValue", "values": [f"user:tenant${tenant}"]}]
        actual = sorted(n["threshold"] for n in inputs["notifications"] if n["notificationType"] == "ACTUAL")
        assert actual == [80, 100]
        assert len({tuple(n["subscriberSnsTopicArns"]) for n in inputs["notifications"]}) == 1
        assert topic.urn in deps["notifications"]  # the tenant's own alert topic, whose channels subscribe to it
    elif cloud == "azure":
        group = next(r for r in rendered.resources if r.type.startswith("azure-native:resources") and r.name.endswith("-rg"))
        action = next(r for r in rendered.resources if "ActionGroup" in r.type)
        assert inputs["amount"] == pytest.approx(amount)
        assert deps["scope"] == [group.urn]
        notes = inputs["notifications"]
        assert sorted(n["threshold"] for n in notes.values() if n["thresholdType"] == "Actual") == [80, 100]
        assert action.urn in deps["notifications"]
        assert len({tuple(n["contactGroups"]) for n in notes.values()}) == 1
    else:
        channels = [r for r in rendered.resources if r.type == "gcp:monitoring/notificationChannel:NotificationChannel"]
        assert channels
        assert float(inputs["amount"]["specifiedAmount"]["units"]) == math.ceil(amount)
        assert inputs["budgetFilter"]["labels"] == {"tenant": tenant}
        rules = inputs["thresholdRules"]
        assert sorted(r["thresholdPercent"] for r in rules if "spendBasis" not in r) == [0.8, 1.0]
        assert len(inputs["allUpdatesRule"]["monitoringNotificationChannels"]) == len(channels)
        assert set(deps["allUpdatesRule"]) >= {c.urn for c in channels}


def test_budgets_write_the_estimate_plus_margin_and_the_stack_renders_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, "hobby-free")
    monkeypatch.chdir(project)
    stack = project / "stacks" / "Pulumi.hobby-free.yaml"
    text = stack.read_text(encoding="utf-8")
    stack.write_text(
        "\n".join(line for line in text.splitlines() if "monthlyBudget" not in line) + "\n", encoding="utf-8"
    )
    checked = CliRunner().invoke(app, ["budgets", "--check"])
    assert checked.exit_code == 1, checked.output
    assert "stale" in checked.stdout
    written = CliRunner().invoke(app, ["budgets", "--write"])
    assert written.exit_code == 0, written.output
    tenant = load_tenant(project / "tenants" / "hobby-free.yaml")
    expected = estimate_fleet([tenant], project, UsageFile())[0].total().expected
    amount = _stack_amount(project, "hobby-free")
    assert amount == math.ceil(expected * (1 + MARGIN) / 10) * 10
    assert amount >= expected
    assert CliRunner().invoke(app, ["budgets", "--check"]).exit_code == 0
    assert [line for line in text.splitlines() if line.startswith("#")] == [
        line for line in stack.read_text(encoding="utf-8").splitlines() if line.startswith("#")
    ]
    assert float(_budget(render_tenant(tenant, project))["limitAmount"]) == amount
