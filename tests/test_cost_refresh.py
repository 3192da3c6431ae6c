"""The catalogue refresh parsers, on endpoint responses in the vendors' formats (no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tenantctl.cost import catalogue
from tenantctl.cost.refresh import apply, aws_quotes, azure_quotes, gcp_quotes, main

FIXTURES = Path(__file__).parent / "fixtures" / "cost"


def _load(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_aws_offer_keeps_linux_shared_on_demand_only() -> None:
    quotes = aws_quotes(_load("aws-offer-ec2-eu-west-1.json"), "https://pricing.example/ec2")
    assert [(q.key, q.region, q.usd, q.date) for q in quotes] == [
        (("AmazonEC2", "m6i.xlarge"), "eu-west-1", 0.22, "2026-11-15T00:00:00Z")
    ]


def test_azure_keeps_linux_consumption_only() -> None:
    quotes = azure_quotes(_load("azure-retail-vm-westeurope.json"), "https://prices.azure.com/api/retail/prices")
    assert [(q.key, q.region, q.usd, q.date) for q in quotes] == [
        (("Virtual Machines", "Standard_D4s_v5"), "westeurope", 0.24, "2026-10-01")
    ]


def test_gcp_keeps_on_demand_and_maps_regions() -> None:
    quotes = gcp_quotes(
        _load("gcp-billing-cloudsql-skus.json"), "https://cloudbilling.googleapis.com/v1/services/9662-B51E-5089/skus"
    )
    assert [(q.key, q.region, q.usd) for q in quotes] == [
        (("Cloud SQL", "PostgreSQL Enterprise vCPU; zonal"), "us-central1", pytest.approx(0.045)),
        (("Cloud SQL", "PostgreSQL Enterprise memory; regional (HA)"), "europe-west4", pytest.approx(0.0154)),
    ]


def test_apply_updates_only_matching_rows_with_their_new_citation() -> None:
    rows = catalogue.read()
    quotes = aws_quotes(_load("aws-offer-ec2-eu-west-1.json"), "https://pricing.example/ec2")
    quotes += azure_quotes(_load("azure-retail-vm-westeurope.json"), "https://prices.azure.com/x")
    updated, changes = apply(rows, quotes)
    assert len(updated) == len(rows)
    changed = {(c.after.sku, c.after.region): (c.before.usd, c.after.usd, c.after.source) for c in changes}
    assert changed == {
        ("m6i.xlarge (Linux; on-demand)", "eu-west-1"): (0.214, 0.22, "https://pricing.example/ec2"),
        ("Standard_D4s_v5 (Linux; pay-as-you-go)", "westeurope"): (0.23, 0.24, "https://prices.azure.com/x"),
    }
    untouched = [r for r in updated if (r.sku, r.region) not in changed]
    assert untouched == [r for r in rows if (r.sku, r.region) not in changed]


def test_unreadable_response_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["--aws", str(bad)]) == 2
    assert f"{bad}:1: aws response: not readable" in capsys.readouterr().err


def test_writing_the_catalogue_keeps_every_row_exactly(tmp_path: Path) -> None:
    from tenantctl.cost.refresh import write

    rows = catalogue.read()
    write(rows, tmp_path / "catalogue.csv")
    assert catalogue.read(tmp_path / "catalogue.csv") == rows
