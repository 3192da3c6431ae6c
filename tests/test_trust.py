"""Tenant trust (issue 10): the four attacks fail with clear messages.

1. A tenant file cannot waive anything; waivers are security-owned, bounded, and never for a critical policy,
   and the pack itself refuses a config that turns a critical policy down.
2. A stack deploys only its own tenant (the attack: acme's stack pointing at spotify's file).
3. Pooled tenants have no network path to each other's data (see the data-path tests below, and
   tests/test_pooled_isolation.py for every pooled example on every cloud).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pulumi
import pytest
from typer.testing import CliRunner

from spec import SpecErrors, load_tenant
from spec.waivers import load_waivers
from tenantctl.cli import app
from tenantctl.policy.catalog import by_name, critical_policy_names
from tenantctl.policy.client import AnalyzedResource, PackClient, PackError
from tenantctl.policy.pack_config import pack_config_for, waiver_errors, waivers_of
from tenantctl.render import render_program
from tenantctl.stack_config import tenant_stack_config
from tenantctl.trust import duplicate_errors, identity, stack_errors

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 1, 15)
TENANT = "tenant_id: t1\ntier: standard\ncloud: aws\nregion: eu-west-1\n"
GOOD_WAIVER = {
    "policy": "aws-rds-multi-az",
    "reason": "single-AZ accepted while the data migration runs; restores tested weekly",
    "owner": "team-lead@example.com",
    "approver": "security-lead@example.com",
    "ticket": "SEC-1234",
    "expires": "2026-03-31",
}


@pytest.fixture(scope="module")
def pack() -> Iterator[PackClient]:
    with PackClient() as client:
        yield client


def _tenant(tmp_path: Path, text: str = TENANT, name: str = "t1") -> Path:
    path = tmp_path / "tenants" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _waivers(tmp_path: Path, *waivers: dict[str, str], tenant: str = "t1") -> Path:
    path = tmp_path / "waivers" / f"{tenant}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"tenant_id: {tenant}", "waivers:"]
    for waiver in waivers:
        first = True
        for key, value in waiver.items():
            shown = value if key == "expires" else json.dumps(value)
            lines.append(f"  {'- ' if first else '  '}{key}: {shown}")
            first = False
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ----------------------------------------------------------------------------------- 1. waivers


def test_waivers_in_a_tenant_file_are_an_input_error_saying_where_they_go(tmp_path: Path) -> None:
    path = _tenant(
        tmp_path,
        TENANT + "tenant_config:\n  compliance:\n    waivers:\n      - policy: aws-rds-storage-encryption\n"
        "        reason: accepted for now\n        owner: bob\n        expires: 9999-12-31\n",
    )
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}:7: tenant_config.compliance.waivers: waivers no longer live in tenant files: move each one to " \
        "waivers/t1.yaml (owned by the security team through .github/CODEOWNERS)" in result.stderr
    assert "Traceback" not in result.output


def test_a_governed_waiver_loads_and_the_report_names_its_approver(tmp_path: Path) -> None:
    path = _tenant(tmp_path)
    _waivers(tmp_path, GOOD_WAIVER)
    tenant = load_tenant(path)
    assert waiver_errors(tenant, TODAY) == []
    [status] = waivers_of(tenant, TODAY)
    assert (status.approver, status.ticket, status.active) == ("security-lead@example.com", "SEC-1234", True)
    assert status.to_json()["approver"] == "security-lead@example.com"
    assert pack_config_for(tenant, TODAY)["aws-rds-multi-az"]["enforcementLevel"] == "advisory"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"owner": "bob"}, "waivers.0.owner", "must be an e-mail address (An email address must have an @-sign.)"),
        ({"approver": "@acme/security"}, "waivers.0.approver", "must be an e-mail address"),
        ({"approver": "team-lead@example.com"}, "waivers.0.approver",
         "must not be the owner: nobody approves their own exception"),
        ({"reason": "accepted"}, "waivers.0.reason",
         "must explain why the exception is acceptable (at least 30 characters)"),
        ({"reason": "n/a n/a n/a n/a n/a n/a n/a n/a n/a n/a"}, "waivers.0.reason",
         "must explain why the exception is acceptable (at least 5 words)"),
        ({"expires": "9999-12-31"}, "waivers.0.expires", "must be at most 90 days ahead (2026-04-15)"),
        ({"expires": "2026-04-16"}, "waivers.0.expires", "must be at most 90 days ahead (2026-04-15)"),
        ({"ticket": "soon"}, "waivers.0.ticket", "must be a ticket key (e.g. SEC-1234) or an https:// link"),
    ],
)
def test_a_waiver_without_governance_is_refused_at_its_line(
    tmp_path: Path, change: dict[str, str], field: str, message: str
) -> None:
    path = _tenant(tmp_path)
    waiver_file = _waivers(tmp_path, {**GOOD_WAIVER, **change})
    errors = [str(e) for e in waiver_errors(load_tenant(path), TODAY)]
    assert len(errors) == 1
    line = 3 + list(GOOD_WAIVER).index(field.rsplit(".", 1)[-1])
    assert errors[0].startswith(f"{waiver_file}:{line}: {field}: {message}")


def test_the_ninety_day_bound_is_the_platforms_setting(tmp_path: Path) -> None:
    _tenant(tmp_path)
    _waivers(tmp_path, {**GOOD_WAIVER, "expires": "2026-02-01"})
    (tmp_path / "waivers" / "_limits.yaml").write_text("max_days: 14\n", encoding="utf-8")
    with pytest.raises(SpecErrors) as caught:
        load_waivers(tmp_path / "tenants" / "t1.yaml", "t1", TODAY)
    assert caught.value.errors[0].message == "must be at most 14 days ahead (2026-01-29)"


def test_a_waiver_file_of_another_tenant_is_refused(tmp_path: Path) -> None:
    path = _tenant(tmp_path)
    waiver_file = _waivers(tmp_path, GOOD_WAIVER)
    waiver_file.write_text(waiver_file.read_text().replace("tenant_id: t1", "tenant_id: t2"), encoding="utf-8")
    assert [str(e) for e in waiver_errors(load_tenant(path), TODAY)] == [
        f"{waiver_file}:1: tenant_id: must equal the file name ('t1')"
    ]


def test_critical_policies_are_the_issues_classes() -> None:
    critical = critical_policy_names()
    # encryption at rest, public exposure, tenant tagging, cross-tenant references
    assert {
        "aws-rds-storage-encryption", "gcp-redis-cmk-encryption", "aws-rds-no-public-access",
        "kubernetes-service-no-public-loadbalancer", "aws-resource-tenant-tag", "kubernetes-object-tenant-label",
        "platform-stack-cross-tenant-references",
    } <= critical
    # key management and resilience may be waived
    assert not {"aws-kms-key-rotation", "aws-rds-multi-az", "aws-cloudwatch-log-retention"} & critical
    assert all(by_name()[name].mandatory for name in critical)


def test_a_critical_policy_cannot_be_waived(tmp_path: Path) -> None:
    path = _tenant(tmp_path)
    waiver_file = _waivers(tmp_path, {**GOOD_WAIVER, "policy": "aws-rds-storage-encryption"})
    tenant = load_tenant(path)
    assert [str(e) for e in waiver_errors(tenant, TODAY)] == [
        f"{waiver_file}:3: waivers.0.policy: 'aws-rds-storage-encryption' is a critical policy: "
        "it can never be waived (fix the resource instead)"
    ]
    result = CliRunner().invoke(app, ["plan", str(path), "--today", TODAY.isoformat()])
    assert result.exit_code == 2
    # Even if the check were skipped, the config tenantctl writes never turns it down.
    assert "enforcementLevel" not in pack_config_for(tenant, TODAY)["aws-rds-storage-encryption"]
    assert [w.active for w in waivers_of(tenant, TODAY)] == [False]


@pytest.mark.parametrize(
    "config",
    [
        {"aws-rds-storage-encryption": {"enforcementLevel": "advisory"}},
        {"aws-rds-no-public-access": "disabled"},
        {"all": "advisory"},
    ],
    ids=["advisory", "disabled", "all"],
)
def test_the_pack_refuses_a_config_that_lowers_a_critical_policy(pack: PackClient, config: dict[str, object]) -> None:
    with pytest.raises(PackError) as caught:
        pack.configure(config)
    assert "can never be waived or disabled" in str(caught.value)
    assert "policy pack config lowers critical polic" in str(caught.value)


def test_the_pack_still_accepts_lowering_a_non_critical_policy(pack: PackClient) -> None:
    pack.configure({"aws-rds-multi-az": "advisory", "aws-kms-key-rotation": "disabled"})


# ------------------------------------------------------------------- 2. a stack deploys its own tenant


def _render_error(stack: str, extra: dict[str, str], tenant: str = "acme-standard") -> str:
    config = tenant_stack_config(load_tenant(ROOT / "tenants" / f"{tenant}.yaml"), ROOT)
    values = {**config.values, **extra}
    with pytest.raises(pulumi.RunError) as caught:  # the engine prints a RunError's message, no traceback
        render_program(stack, values, config.secret_keys)
    return str(caught.value)


def test_attack_acme_stack_pointing_at_spotify_file_fails_clearly() -> None:
    message = _render_error("acme-standard", {"tenant-platform:tenantFile": "tenants/spotify-premium.yaml"})
    assert message == (
        "stack 'acme-standard' deploys only tenants/acme-standard.yaml, but tenant-platform:tenantFile names "
        "'tenants/spotify-premium.yaml': a stack deploys exactly the tenant whose id is its name"
    )


def test_attack_absolute_or_dotted_paths_to_another_file_fail_too() -> None:
    spotify = ROOT / "tenants" / "spotify-premium.yaml"
    for given in (str(spotify), "tenants/../tenants/spotify-premium.yaml", "./stacks/../tenants/spotify-premium.yaml"):
        assert "deploys only tenants/acme-standard.yaml" in _render_error("acme-standard", {"tenant-platform:tenantFile": given})


def test_attack_a_copy_of_another_tenants_file_under_the_stacks_name_fails(tmp_path: Path) -> None:
    folder = tmp_path / "tenants"
    folder.mkdir()
    shutil.copy(ROOT / "tenants" / "spotify-premium.yaml", folder / "acme-standard.yaml")
    config = tenant_stack_config(load_tenant(ROOT / "tenants" / "acme-standard.yaml"), ROOT)
    with pytest.raises(pulumi.RunError) as caught:
        render_program("acme-standard", {**config.values, "tenant-platform:tenantFile": str(folder / "acme-standard.yaml")},
                       config.secret_keys, folder)
    assert "tenant_id: must equal the file name ('acme-standard')" in str(caught.value)


def test_the_stacks_own_file_renders_with_or_without_tenant_file_config() -> None:
    config = tenant_stack_config(load_tenant(ROOT / "tenants" / "acme-standard.yaml"), ROOT)
    values = {k: v for k, v in config.values.items() if k != "tenant-platform:tenantFile"}
    assert render_program("acme-standard", values, config.secret_keys)
    assert render_program("acme-standard", {**values, "tenant-platform:tenantFile": "tenants/acme-standard.yaml"},
                          config.secret_keys)


@pytest.mark.parametrize(
    "shared",
    ["shared-aws-us-east-1", "organization/tenant-platform/shared-azure-westeurope", "other-org/tenant-platform/x",
     "spotify-premium"],
)
def test_a_pooled_tenant_joins_only_its_own_regions_shared_cluster(shared: str) -> None:
    message = _render_error("acme-standard", {"tenant-platform:sharedClusterStack": shared})
    assert message == (
        f"stack 'acme-standard': tenant-platform:sharedClusterStack {shared!r} must be the shared cluster of the "
        "tenant's own cloud and region, organization/tenant-platform/shared-aws-eu-west-1"
    )


def test_a_shared_cluster_stack_must_carry_its_own_name() -> None:
    with pytest.raises(pulumi.RunError) as caught:
        render_program("acme-standard", {"tenant-platform:mode": "shared-cluster", "tenant-platform:cloud": "aws",
                                         "tenant-platform:region": "eu-west-1"}, [])
    assert str(caught.value) == "a shared-cluster stack is named 'shared-aws-eu-west-1', not 'acme-standard'"


def test_ids_compare_case_insensitively_after_nfkc() -> None:
    assert identity("ＡＣＭＥ-Standard") == identity("acme-standard") == "acme-standard"


@pytest.mark.parametrize("tenant_id", ["shared-aws-ap-south-1", "shared-gcp-us-central1", "shared-azure-x"])
def test_new_refuses_a_shared_cluster_stack_name(tmp_path: Path, tenant_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: tenant-platform\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["new", tenant_id, "--cloud", "aws", "--region", "ap-south-1"])
    assert result.exit_code == 2
    assert f"tenant_id: {tenant_id!r} is reserved: shared-<cloud>-<region> names a shared-cluster stack" in result.stderr
    assert not (tmp_path / "tenants").exists() or not list((tmp_path / "tenants").iterdir())


def test_two_files_with_one_tenant_id_are_refused_naming_both(tmp_path: Path) -> None:
    first = _tenant(tmp_path / "a")
    second = _tenant(tmp_path / "b")
    errors = [str(e) for e in duplicate_errors([load_tenant(first), load_tenant(second)])]
    assert errors == [f"{second}:1: tenant_id: tenant id 't1' is already claimed by {first}: every tenant needs its own"]
    result = CliRunner().invoke(app, ["plan", str(first), str(second)])
    assert result.exit_code == 2 and "already claimed by" in result.stderr


def test_a_stack_file_pointing_elsewhere_is_refused_by_validate(tmp_path: Path) -> None:
    path = _tenant(tmp_path)
    (tmp_path / "stacks").mkdir()
    stack = tmp_path / "stacks" / "Pulumi.t1.yaml"
    stack.write_text(
        "config:\n  tenant-platform:tenantFile: tenants/spotify-premium.yaml\n"
        "  tenant-platform:sharedClusterStack: shared-aws-us-east-1\n  tenant-platform:mode: shared-cluster\n",
        encoding="utf-8",
    )
    errors = [str(e) for e in stack_errors(load_tenant(path), tmp_path)]
    assert errors == [
        "stacks/Pulumi.t1.yaml:2: config.tenant-platform.tenantFile: stack 't1' deploys only tenants/t1.yaml, "
        "not 'tenants/spotify-premium.yaml'",
        "stacks/Pulumi.t1.yaml:4: config.tenant-platform.mode: a tenant stack is mode tenant; shared-cluster stacks are "
        "named 'shared-aws-eu-west-1'",
        "stacks/Pulumi.t1.yaml:3: config.tenant-platform.sharedClusterStack: must be the shared cluster of the tenant's own "
        "cloud and region (shared-aws-eu-west-1 or <org>/tenant-platform/shared-aws-eu-west-1), not "
        "'shared-aws-us-east-1'",
    ]


def test_the_example_stack_files_pass() -> None:
    tenants = [load_tenant(p) for p in sorted((ROOT / "tenants").glob("*.yaml"))]
    assert [e for t in tenants for e in stack_errors(t, ROOT)] == []
    assert duplicate_errors(tenants) == []


# ------------------------------------------------------------------- 3. pooled tenants' data paths


def _data_egress(tenant_path: Path) -> list[dict[str, object]]:
    from tenantctl.render import render_tenant

    rendered = render_tenant(load_tenant(tenant_path), ROOT)
    [policy] = [r for r in rendered.resources if r.type.endswith("NetworkPolicy") and r.name.endswith("allow-data-services")]
    return policy.public_inputs()["spec"]["egress"]  # type: ignore[no-any-return]


def test_pooled_gcp_tenants_reach_only_their_own_data_addresses(tmp_path: Path) -> None:
    # Two pooled tenants on the same shared GKE cluster (initech-standard and a neighbour in its region).
    neighbour = _tenant(tmp_path, (ROOT / "tenants" / "initech-standard.yaml").read_text(encoding="utf-8")
                        .replace("tenant_id: initech-standard", "tenant_id: neighbour"), "neighbour")
    own, other = _data_egress(ROOT / "tenants" / "initech-standard.yaml"), _data_egress(neighbour)
    for rules in (own, other):
        cidrs = [block["ipBlock"]["cidr"] for rule in rules for block in rule["to"]]  # type: ignore[index, union-attr, attr-defined]
        assert cidrs and all(c.endswith("/32") for c in cidrs), cidrs  # never the shared private-services range
        assert sorted(int(p["port"]) for rule in rules for p in rule["ports"]) == [5432, 6378]  # type: ignore[index, union-attr, attr-defined]
    addresses = [{block["ipBlock"]["cidr"] for rule in rules for block in rule["to"]} for rules in (own, other)]  # type: ignore[index, union-attr, attr-defined]
    assert addresses[0].isdisjoint(addresses[1])  # no pod of one tenant is let out towards the other's data


@pytest.fixture(scope="module")
def pooled_aks() -> tuple[dict[str, object], list[AnalyzedResource]]:
    from tenantctl.policy.enforce import to_analyzed
    from tenantctl.render import render_tenant

    tenant = load_tenant(ROOT / "tenants" / "fabrikam-standard.yaml")
    return pack_config_for(tenant, TODAY), to_analyzed(render_tenant(tenant, ROOT))


def _egress_violations(
    pack: PackClient, pooled_aks: tuple[dict[str, object], list[AnalyzedResource]], egress: list[dict[str, object]]
) -> list[str]:
    """``azure-data-pooled-egress`` findings once the allow-data-services policy's egress is ``egress``."""
    config, resources = pooled_aks
    edited = [
        replace(r, properties={**r.properties, "spec": {**r.properties["spec"], "egress": egress}})
        if r.type.endswith("NetworkPolicy") and r.name.endswith("allow-data-services") else r
        for r in resources
    ]
    pack.configure(config)
    return [d.message for d in pack.analyze_stack(edited) if d.policy == "azure-data-pooled-egress"]


def test_the_pooled_aks_egress_policy_accepts_the_rendered_tenant(
    pack: PackClient, pooled_aks: tuple[dict[str, object], list[AnalyzedResource]]
) -> None:
    [policy] = [r for r in pooled_aks[1] if r.name.endswith("allow-data-services")]
    assert _egress_violations(pack, pooled_aks, policy.properties["spec"]["egress"]) == []
    # Egress elsewhere on other ports is another policy's business, not a path to pooled data.
    assert _egress_violations(pack, pooled_aks, [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}],
                                                  "ports": [{"protocol": "TCP", "port": 443}]}]) == []


@pytest.mark.parametrize(
    ("egress", "found"),
    [
        ([{"to": [{"ipBlock": {"cidr": "10.101.0.0/16"}}], "ports": [{"protocol": "TCP", "port": 5432}]}],
         "ipBlock 10.101.0.0/16 (a range"),
        ([{"to": [{"ipBlock": {"cidr": "10.101.128.4/32"}}], "ports": [{"protocol": "TCP", "port": 10000}]}],
         "ipBlock 10.101.128.4/32 (not a static address of this stack's own private endpoints)"),
        ([{"to": [{"ipBlock": {"cidr": "10.101.0.0/16"}}], "ports": [{"protocol": "TCP", "port": 1, "endPort": 65535}]}],
         "ipBlock 10.101.0.0/16 (a range"),
        ([{"ports": [{"protocol": "TCP", "port": 5432}]}], "no destination (every address)"),
        ([{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}], "ipBlock 0.0.0.0/0 (a range"),
    ],
    ids=["subnet", "neighbour-host", "port-range", "no-destination", "all-ports"],
)
def test_the_pooled_aks_egress_policy_refuses_any_path_beyond_the_tenants_own_data(
    pack: PackClient, pooled_aks: tuple[dict[str, object], list[AnalyzedResource]], egress: list[dict[str, object]],
    found: str,
) -> None:
    [message] = _egress_violations(pack, pooled_aks, egress)
    assert "pooled AKS tenant" in message and found in message
