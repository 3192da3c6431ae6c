"""Two tenants never claim one name: namespace, database, cache, bucket, ingress host or pooled data address.

The clashing pairs below are inputs chosen so that the names the cloud services would be given coincide
(the services' length limits cut long ids and keep a short hash); the contract tested is that ``validate``
refuses the second file at its own line, names the first, and exits 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from spec import load_tenant
from spec.loader import TenantFile
from tenantctl import trust
from tenantctl.cli import app
from tenantctl.trust import duplicate_errors, host_errors, stack_errors

POOLED_AZURE = "tier: standard\ncloud: azure\nregion: {region}\ntenant_config:\n  security:\n    isolation_level: standard\n"
AWS = "tier: standard\ncloud: aws\nregion: eu-west-1\n"


def _write(folder: Path, tenant_id: str, body: str = AWS, extra: str = "") -> Path:
    path = folder / "tenants" / f"{tenant_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"tenant_id: {tenant_id}\n{body}{extra}", encoding="utf-8")
    return path


def _hosts(*hosts: str) -> str:
    return "tenant_config:\n  ingress:\n    hostnames:\n" + "".join(f"      - {h}\n" for h in hosts)


def _load(*paths: Path) -> list[TenantFile]:
    return [load_tenant(p) for p in paths]


def _validate(*paths: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", *map(str, paths)])
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr


def test_azure_storage_accounts_that_would_coincide_are_refused(tmp_path: Path) -> None:
    # Storage account names keep 18 characters of the id and 4 hex digits of its hash: these two coincide.
    first = _write(tmp_path, "contoso-retail-europe-326", "tier: standard\ncloud: azure\nregion: westeurope\n")
    second = _write(tmp_path, "contoso-retail-europe-359", "tier: standard\ncloud: azure\nregion: westeurope\n")
    [error] = [str(e) for e in duplicate_errors(_load(first, second))]
    assert error.startswith(f"{second}:1: tenant_id: azure bucket name ")
    assert error.endswith(f"is already claimed by {first}: every tenant needs its own")
    code, stderr = _validate(first, second)
    assert code == 2 and f"{second}:1: tenant_id: azure bucket name" in stderr


def test_elasticache_ids_that_would_coincide_are_refused(tmp_path: Path) -> None:
    # ElastiCache ids are at most 40 characters: both ids are cut to 27 and given a hash, and the hashes meet.
    first = _write(tmp_path, "shopshopshopshopshopshopshopshop-001354")
    second = _write(tmp_path, "shopshopshopshopshopshopshopshop-002939")
    [error] = [str(e) for e in duplicate_errors(_load(first, second))]
    assert error.startswith(f"{second}:1: tenant_id: aws cache name ")
    assert first.name in error


def test_a_database_name_claimed_twice_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tenant ids (40 characters at most) never reach a database name limit; a naming rule that cut them would.
    monkeypatch.setattr(trust, "database_name", lambda tenant_id, cloud: tenant_id[:3] + "-pg")
    first, second = _write(tmp_path, "abc-one"), _write(tmp_path, "abc-two")
    assert [str(e) for e in duplicate_errors(_load(first, second))] == [
        f"{second}:1: tenant_id: aws database name 'abc-pg' is already claimed by {first}: every tenant needs its own"
    ]


def test_a_namespace_claimed_twice_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trust, "namespace_name", lambda tenant_id: "tenant-shared")
    first, second = _write(tmp_path, "one"), _write(tmp_path, "two")
    assert [str(e) for e in duplicate_errors(_load(first, second))] == [
        f"{second}:1: tenant_id: namespace 'tenant-shared' is already claimed by {first}: every tenant needs its own"
    ]


def test_distinct_ids_give_distinct_names(tmp_path: Path) -> None:
    paths = [_write(tmp_path, f"tenant-{i}", body) for i, body in
             enumerate([AWS, POOLED_AZURE.format(region="westeurope"), "tier: standard\ncloud: gcp\nregion: us-central1\n"])]
    assert duplicate_errors(_load(*paths)) == []


def test_pooled_aks_tenants_given_one_private_address_are_refused(tmp_path: Path) -> None:
    # pool-118 and pool-155 hash to the same address pair of the shared VNet's data subnet.
    first = _write(tmp_path, "pool-118", POOLED_AZURE.format(region="westeurope"))
    second = _write(tmp_path, "pool-155", POOLED_AZURE.format(region="westeurope"))
    [error] = [str(e) for e in duplicate_errors(_load(first, second))]
    assert error.startswith(f"{second}:1: tenant_id: pooled data address pair in the shared westeurope VNet 10.101.")
    assert f"is already claimed by {first}: " in error
    assert "give the tenant not yet deployed another pair with tenant-platform:dataAddressSlot" in error
    # The platform team's fix: the newer tenant's stack file names a free pair.
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    (stacks / "Pulumi.pool-155.yaml").write_text("config:\n  tenant-platform:dataAddressSlot: 7\n", encoding="utf-8")
    assert duplicate_errors(_load(first, second), tmp_path) == []
    assert stack_errors(load_tenant(second), tmp_path) == []
    # In different regions they are in different VNets; as silo tenants they have VNets of their own.
    elsewhere = _write(tmp_path / "b", "pool-155", POOLED_AZURE.format(region="northeurope"))
    assert duplicate_errors(_load(first, elsewhere)) == []
    strict = POOLED_AZURE.format(region="westeurope").replace("isolation_level: standard", "isolation_level: strict")
    silo = _write(tmp_path / "c", "pool-155", strict)
    assert duplicate_errors(_load(first, silo)) == []


def test_a_host_listed_by_two_tenants_is_refused_at_its_line(tmp_path: Path) -> None:
    first = _write(tmp_path, "one", AWS, _hosts("shop.example.com"))
    second = _write(tmp_path, "two", AWS, _hosts("api.example.com", "shop.example.com"))
    assert [str(e) for e in host_errors(_load(first, second), tmp_path)] == [
        f"{second}:9: tenant_config.ingress.hostnames.1: host name 'shop.example.com' is already claimed by {first}: "
        "every host routes to one tenant"
    ]
    code, stderr = _validate(first, second)
    assert code == 2 and "tenant_config.ingress.hostnames.1: host name 'shop.example.com'" in stderr


def test_a_host_equal_to_another_tenants_default_host_is_refused(tmp_path: Path) -> None:
    first = _write(tmp_path, "one")
    second = _write(tmp_path, "two", AWS, _hosts("one.tenants.example.net"))
    assert [str(e) for e in host_errors(_load(first, second), tmp_path)] == [
        f"{second}:8: tenant_config.ingress.hostnames.0: host name 'one.tenants.example.net' is the default host of "
        f"{first}: every host routes to one tenant"
    ]
    # A tenant may list its own default host.
    own = _write(tmp_path / "b", "one", AWS, _hosts("one.tenants.example.net"))
    assert host_errors(_load(own), tmp_path) == []


def test_the_default_host_follows_the_stacks_ingress_domain(tmp_path: Path) -> None:
    first = _write(tmp_path, "one")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.one.yaml").write_text(
        "config:\n  tenant-platform:ingressDomain: apps.example.org\n", encoding="utf-8"
    )
    moved = _write(tmp_path / "b", "two", AWS, _hosts("one.apps.example.org"))
    old = _write(tmp_path / "c", "two", AWS, _hosts("one.tenants.example.net"))
    assert [e.message for e in host_errors(_load(first, moved), tmp_path)] == [
        f"host name 'one.apps.example.org' is the default host of {first}: every host routes to one tenant"
    ]
    assert host_errors(_load(first, old), tmp_path) == []


def test_the_examples_claim_no_name_twice() -> None:
    root = Path(__file__).resolve().parent.parent
    tenants = [load_tenant(p) for p in sorted((root / "tenants").glob("*.yaml"))]
    assert duplicate_errors(tenants) == [] and host_errors(tenants, root) == []


@pytest.mark.parametrize(
    ("body", "slot", "message"),
    [
        (AWS, "7", "only a pooled Azure tenant has a data address pair to choose"),
        (POOLED_AZURE.format(region="westeurope"), "16381", "must be a whole number from 0 to 16380, not 16381"),
        (POOLED_AZURE.format(region="westeurope"), "'7'", "must be a whole number from 0 to 16380, not '7'"),
    ],
)
def test_a_data_address_slot_must_be_a_pair_of_a_pooled_aks_tenant(
    tmp_path: Path, body: str, slot: str, message: str
) -> None:
    path = _write(tmp_path, "one", body)
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.one.yaml").write_text(f"config:\n  tenant-platform:dataAddressSlot: {slot}\n",
                                                        encoding="utf-8")
    assert [str(e) for e in stack_errors(load_tenant(path), tmp_path)] == [
        f"stacks/Pulumi.one.yaml:2: config.tenant-platform.dataAddressSlot: {message}"
    ]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("ingressDomain", "'*.evil.example'", "wildcards are not allowed"),
        ("ingressDomain", "Apps.Example.com", "not a lowercase fully qualified host name"),
        ("ingressDomain", "'" + ".".join(["d" * 60] * 4) + ".com'", "at most 212 characters"),
        ("ingressDomain", "[a, b]", "must be a string"),
        ("certIssuer", "'Lets Encrypt'", "must be the name of a cert-manager ClusterIssuer"),
        ("certIssuer", "{name: x}", "must be the name of a cert-manager ClusterIssuer"),
    ],
)
def test_stack_ingress_domain_and_issuer_are_names_not_patterns(tmp_path: Path, key: str, value: str, message: str) -> None:
    """The domain every default host hangs off and the issuer's name come from stack files: checked like tenant input."""
    from spec import SpecErrors
    from tenantctl.stack_config import read_stack_file

    path = tmp_path / "Pulumi.one.yaml"
    path.write_text(f"config:\n  tenant-platform:{key}: {value}\n", encoding="utf-8")
    with pytest.raises(SpecErrors) as caught:
        read_stack_file(path, "stacks/Pulumi.one.yaml")
    (error,) = [str(e) for e in caught.value.errors]
    assert error.startswith(f"stacks/Pulumi.one.yaml:2: config.tenant-platform.{key}: ") and message in error


def test_a_plain_ingress_domain_and_issuer_are_accepted(tmp_path: Path) -> None:
    from tenantctl.stack_config import read_stack_file

    path = tmp_path / "Pulumi.one.yaml"
    path.write_text("config:\n  tenant-platform:ingressDomain: apps.example.com\n"
                    "  tenant-platform:certIssuer: letsencrypt-prod\n", encoding="utf-8")
    assert read_stack_file(path) == {"tenant-platform:ingressDomain": "apps.example.com",
                                     "tenant-platform:certIssuer": "letsencrypt-prod"}
