"""The cost estimate: cited prices only, unpriced items visible, hand-checked line items, pooled shares, PR deltas."""

from __future__ import annotations

import csv
import json
import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spec.loader import load_tenant
from tenantctl.cli import app
from tenantctl.cost import catalogue
from tenantctl.cost.estimate import TenantCost, pooling, requests
from tenantctl.cost.fleet import estimate_fleet
from tenantctl.cost.pricing import Context, Resource, price_resource
from tenantctl.cost.usage import PRESETS, UsageFile

ROOT = Path(__file__).resolve().parent.parent
SHARED_PRICING = ROOT.parent / "shared" / "pricing" / "catalogue.csv"
EXAMPLES = sorted((ROOT / "tenants").glob("*.yaml"))


@pytest.fixture(scope="module")
def fleet() -> dict[str, TenantCost]:
    tenants = [load_tenant(p) for p in EXAMPLES]
    return {c.tenant: c for c in estimate_fleet(tenants, ROOT, UsageFile())}


def test_every_catalogue_row_is_cited_dated_and_licensed() -> None:
    rows = catalogue.read()
    assert len(rows) >= 60
    for row in rows:
        assert row.usd > 0, row
        assert row.source.startswith(("github:", "http://", "https://")), row
        assert row.source_detail and row.price_date and row.licence, row
        if row.source.startswith("github:"):
            assert len(row.source.split("@", 1)[1].split(":", 1)[0]) == 40, row  # pinned to a commit


def test_catalogue_rows_are_the_cited_facts() -> None:
    if not SHARED_PRICING.exists():
        pytest.skip("../shared/pricing is not beside the project")
    with SHARED_PRICING.open(encoding="utf-8", newline="") as handle:
        facts = {(r["cloud"], r["service"], r["sku"], r["region"]): r for r in csv.DictReader(handle)}
    for row in catalogue.read():
        fact = facts[(row.cloud, row.service, row.sku, row.region)]
        assert (float(fact["usd"]), fact["unit"], fact["source"], fact["source_detail"]) == (
            row.usd,
            row.unit,
            row.source,
            row.source_detail,
        )


def test_lookup_falls_back_to_the_global_row_and_never_invents_a_price() -> None:
    eks = catalogue.lookup("aws", "EKS", "cluster fee; standard support", "eu-west-1")
    assert eks is not None and eks.region == "global" and eks.usd == 0.10
    assert catalogue.lookup("aws", "EC2", "m6i.doesnotexist (Linux; on-demand)", "eu-west-1") is None


def test_every_example_tenant_is_priced_or_listed_unpriced(fleet: dict[str, TenantCost]) -> None:
    assert set(fleet) == {p.stem for p in EXAMPLES}
    for cost in fleet.values():
        assert cost.lines, cost.tenant
        priced = [line for line in cost.lines if line.priced]
        assert priced, cost.tenant
        for line in cost.lines:
            if line.priced:
                assert line.price is not None and line.price.source and line.monthly() is not None
            else:
                assert line.monthly() is None  # an unpriced item is never $0
        total = cost.total()
        assert total.expected == pytest.approx(sum(line.monthly().expected for line in priced))  # type: ignore[union-attr]
        assert total.min <= total.expected <= total.max
        document = cost.to_json()
        assert {u["sku"] for u in document["unpriced"]} == {line.sku for line in cost.unpriced}


def test_hand_checked_lines_of_a_silo_tenant(fleet: dict[str, TenantCost]) -> None:
    spotify = fleet["spotify-premium"]
    by_item = {line.item: line for line in spotify.lines}
    eks = next(line for line in spotify.lines if line.item == "cluster fee")
    assert eks.monthly().expected == pytest.approx(0.10 * 730)  # type: ignore[union-attr]
    nodes = next(line for line in spotify.lines if line.item.startswith("nodes:") and "m6i.2xlarge" in line.item)
    # eu-west-1 m6i.2xlarge on-demand is $0.428/h; the node group's bounds are 3 and 20 nodes.
    assert nodes.monthly().min == pytest.approx(3 * 730 * 0.428)  # type: ignore[union-attr]
    assert nodes.monthly().max == pytest.approx(20 * 730 * 0.428)  # type: ignore[union-attr]
    key = next(line for line in spotify.lines if line.item == "customer managed key")
    assert key.monthly().expected == 1.0  # type: ignore[union-attr]
    rds = next(line for line in spotify.lines if line.item.startswith("instance: db.r6g.xlarge"))
    assert "Multi-AZ" in rds.item and not rds.priced  # no cited eu-west-1 RDS price: unpriced, not guessed
    assert by_item  # the silo tenant pays no shared cluster
    assert spotify.shared_stack is None and all(line.share == 1.0 for line in spotify.lines)


def _resource(type_: str, inputs: dict) -> Resource:  # type: ignore[type-arg]
    return Resource(type_, f"urn:pulumi:t::p::{type_}::r", "r", inputs)


def test_ha_doubles_and_regional_rates_apply() -> None:
    ctx = Context("azure", "westeurope", PRESETS["enterprise"])
    ha = price_resource(
        _resource(
            "azure-native:dbforpostgresql/v20240801:Server",
            {
                "sku": {"name": "Standard_D2ds_v5"},
                "highAvailability": {"mode": "ZoneRedundant"},
                "storage": {"storageSizeGB": 64},
            },
        ),
        ctx,
    )
    assert ha[0].quantity.expected == 2 * 730 and ha[1].quantity.expected == 128
    sql = price_resource(
        _resource(
            "gcp:sql/databaseInstance:DatabaseInstance",
            {"settings": {"tier": "db-custom-2-7680", "availabilityType": "REGIONAL", "diskSize": 100}},
        ),
        Context("gcp", "us-central1", PRESETS["standard"]),
    )
    monthly = {line.item.split(":")[0]: line.monthly().expected for line in sql}  # type: ignore[union-attr]
    # Cloud SQL us-central1 regional: $0.0826 per vCPU-hour, $0.014 per GB-hour, $0.34 per GB-month.
    assert monthly == pytest.approx({"vCPU": 2 * 730 * 0.0826, "memory": 7.5 * 730 * 0.014, "storage": 100 * 0.34})


def test_an_unknown_sku_is_an_unpriced_line_not_zero() -> None:
    lines = price_resource(
        _resource(
            "aws:eks/nodeGroup:NodeGroup", {"instanceTypes": ["m6i.doesnotexist"], "scalingConfig": {"minSize": 1, "maxSize": 2}}
        ),
        Context("aws", "eu-west-1", PRESETS["free"]),
    )
    assert [line.priced for line in lines] == [False] and lines[0].monthly() is None
    cost = TenantCost("t", "aws", "eu-west-1", "free", "strict", lines)
    assert cost.total().expected == 0 and [u.sku for u in cost.unpriced] == ["m6i.doesnotexist (Linux; on-demand)"]


def test_pooled_shares_follow_requests_and_cover_the_cluster(tmp_path: Path) -> None:
    base = load_tenant(ROOT / "tenants" / "acme-standard.yaml").spec
    bigger = base.model_copy(update={"tenant_id": "acme-big"}, deep=True)
    bigger.config.workload.__dict__["cpu_request"] = "750m"  # three times the CPU, same memory
    result = pooling([base, bigger])
    shares = result.shares
    assert shares["acme-standard"] + shares["acme-big"] == pytest.approx(1.0)
    # CPU share 1/4 vs 3/4, memory 1/2 each: means 3/8 and 5/8.
    assert shares["acme-standard"] == pytest.approx(3 / 8) and shares["acme-big"] == pytest.approx(5 / 8)
    cpu, memory = requests(base)
    assert result.demand["shared-aws-eu-west-1"] == (cpu * 4, memory * 2)
    assert isinstance(cpu, Fraction)


def test_a_pooled_tenant_pays_its_share_of_the_shared_cluster(fleet: dict[str, TenantCost]) -> None:
    acme = fleet["acme-standard"]
    shared = [line for line in acme.lines if line.item.endswith("(shared)")]
    assert acme.shared_stack == "shared-aws-eu-west-1" and shared
    assert any(line.item.startswith("cluster fee") for line in shared)
    assert all(line.share == acme.share for line in shared)


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "tenants").mkdir(parents=True)
    shutil.copy(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", project / "stacks")
    shutil.copy(ROOT / "tenants" / "spotify-premium.yaml", project / "tenants")
    shutil.copy(ROOT / "tenants" / "hobby-free.yaml", project / "tenants")
    return project


def test_a_tier_change_shows_its_monthly_delta(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path)
    monkeypatch.chdir(project)
    base = CliRunner().invoke(app, ["cost", "--format", "json", "--output", "base.json"])
    assert base.exit_code == 0, base.stderr
    path = project / "tenants" / "hobby-free.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("tier: free", "tier: standard"), encoding="utf-8")
    head = CliRunner().invoke(app, ["cost", "--format", "json", "--compare-to", "base.json"])
    assert head.exit_code == 0, head.stderr
    document = json.loads(head.stdout)
    before = {t["tenant"]: t for t in json.loads((project / "base.json").read_text())["tenants"]}
    after = {t["tenant"]: t for t in document["tenants"]}
    delta = {d["tenant"]: d for d in document["delta"]}
    for tenant in ("hobby-free", "spotify-premium"):
        expected = after[tenant]["monthly_usd"]["expected"] - before[tenant]["monthly_usd"]["expected"]
        assert delta[tenant]["monthly_usd"]["expected"] == pytest.approx(expected, abs=0.01)
    assert delta["spotify-premium"]["monthly_usd"]["expected"] == 0 and delta["spotify-premium"]["items"] == []
    assert (
        delta["hobby-free"]["monthly_usd"]["max"] > 0 and delta["hobby-free"]["items"]
    )  # a bigger tier costs more at its ceiling
    comment = CliRunner().invoke(app, ["cost", "--format", "markdown", "--compare-to", "base.json"])
    assert "## Cost estimate" in comment.stdout and "Δ expected vs base" in comment.stdout


def test_usage_file_overrides_the_preset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path)
    monkeypatch.chdir(project)
    (project / "usage.yml").write_text("tenants:\n  spotify-premium:\n    log_gb_ingested: 1000\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["cost", "tenants/spotify-premium.yaml", "--format", "json", "--by-resource", "--usage", "usage.yml"]
    )
    assert result.exit_code == 0, result.stderr
    lines = json.loads(result.stdout)["tenants"][0]["lines"]
    assert {line["quantity"]["expected"] for line in lines if line["item"].startswith("log ingestion")} == {1000.0}


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("usage.yml", "tenants:\n  x:\n    log_gb_ingested: -1\n", "usage.yml:1: tenants.x.log_gb_ingested:"),
        ("usage.yml", "tenants: [1, 2\n", "usage.yml:"),
        ("usage.yml", "nonsense: 1\n", "usage.yml:1: nonsense:"),
        ("base.json", "{not json", "base.json:1: base cost: not JSON"),
        ("base.json", "[1, 2]", "base.json:1: base cost: not a `tenantctl cost --format json` document"),
    ],
)
def test_bad_usage_or_base_files_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str, fragment: str
) -> None:
    project = _project(tmp_path)
    monkeypatch.chdir(project)
    (project / name).write_text(text, encoding="utf-8")
    option = "--usage" if name.startswith("usage") else "--compare-to"
    result = CliRunner().invoke(app, ["cost", "tenants/hobby-free.yaml", option, name])
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr and "Traceback" not in result.stderr
