"""Bad input never crashes: each case of issue 11 ends in exit 2 with `path:line: field: message`, and a fuzz harness.

The table runs every listed case through the CLI in process; the hypothesis tests generate raw bytes,
YAML documents, single-field mutations of the example tenants and hostile stack files. Every outcome
is exit 0 or 2 (1 only where policies run), no traceback, parseable error lines, nothing written,
within a time and memory bound (tests/fuzz_support.py; HYPOTHESIS_PROFILE=long for a longer run).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fuzz_support import ROOT, assert_clean_refusal, make_project, run_cli, snapshot
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from spec.errors import SpecErrors
from tenantctl.stack_config import read_stack_file

BASE = "tenant_id: {id}\ntier: {tier}\ncloud: aws\nregion: eu-west-1\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield make_project(tmp_path_factory.mktemp("hostile"))


def _tenant(body: str, tier: str = "standard", tenant_id: str = "hostile") -> str:
    return BASE.format(id=tenant_id, tier=tier) + body


def _at(path: list[str], leaf: str) -> str:
    """``tenant_config`` block text setting ``path`` to ``leaf`` (two spaces a level)."""
    lines = ["tenant_config:"]
    for depth, part in enumerate(path):
        lines.append("  " * (depth + 1) + f"{part}:" + ("" if depth < len(path) - 1 else f" {leaf}"))
    return "\n".join(lines) + "\n"


def _schedule(start: str) -> str:
    block = f"{{start: '{start}', end: '0 18 * * 1-5', desired_replicas: 2}}"
    return f"tenant_config:\n  autoscaling:\n    schedule:\n      - {block}\n"


TENANT_CASES: dict[str, tuple[str, str]] = {
    # name: (file body after the four header lines, substring of the expected message)
    "nesting-500-flow": ("x: " + "[" * 500 + "]" * 500 + "\n", "more than 32 '[' or '{' on one line"),
    "nesting-3000-block": ("x:\n" + "- " * 3000 + "1\n", "nested deeper than 64 levels"),
    "nesting-10000-lines": ("x: " + "[\n" * 10000 + "]\n" * 10000, "nested deeper than 64 levels"),
    "integer-5000-digits": (_at(["autoscaling", "min_replicas"], "9" * 5000), "value longer than"),
    "integer-40-digits": (_at(["autoscaling", "min_replicas"], "9" * 40), "integer of 40 digits"),
    "date-february-30": (
        "tenant_config:\n  compliance:\n    frameworks: [soc2]\n  database:\n    deletion_protection: 2026-02-30\n",
        "is not a valid date",
    ),
    "offset-25-hours": (
        "tenant_config:\n  database:\n    deletion_protection: 2026-02-03 10:00:00+25:00\n",
        "offset outside",
    ),
    "retention-14-digit-weeks": (_at(["monitoring", "metrics_retention"], "99999999999999w"), "is not a duration"),
    "retention-400-digits": (_at(["monitoring", "metrics_retention"], "9" * 400 + "d"), "is not a duration"),
    "retention-a-billion-weeks": (_at(["monitoring", "metrics_retention"], "999999999w"), "is longer than"),
    "latency-400-digits": (_at(["autoscaling", "metrics", "latency_threshold"], "9" * 400 + "ms"), "is not a duration"),
    "vpc-cidr-octet-300": (_at(["aws", "vpc_cidr"], "10.300.0.0/16"), "is not an IPv4 CIDR"),
    "vpc-cidr-public": (_at(["aws", "vpc_cidr"], "8.8.0.0/16"), "is not private address space"),
    "vpc-cidr-host-bits": (_at(["aws", "vpc_cidr"], "10.0.0.1/16"), "host bits set"),
    "vpc-cidr-too-small": (_at(["aws", "vpc_cidr"], "10.0.0.0/24"), "this range must be /16 to /17"),
    "cron-letters": (
        _schedule("a b c d e"),
        "is not a number or a name cron knows",
    ),
    "cron-out-of-range": (
        _schedule("99 99 99 99 99"),
        "is outside 0-59",
    ),
    "cron-six-fields": (
        _schedule("0 0 8 * * 1-5"),
        "is not a five-field cron expression",
    ),
    "image-shell": (_at(["workload", "image"], '"nginx; rm -rf / \\n --privileged"'), "is not an OCI image reference"),
    "image-no-tag": (_at(["workload", "image"], "nginx"), "has neither a tag nor a digest"),
    "instance-class-sql": (_at(["database", "instance_class"], "'not a class; drop table'"), "is not an RDS instance class"),
    "node-type-question-marks": (_at(["cache", "node_type"], "'???'"), "is not an ElastiCache node type"),
    "instance-type-unknown-size": (_at(["cluster", "instance_type"], "m6i.doesnotexist"), "is not an EC2 instance type"),
    "instance-type-unknown-family": (
        _at(["cluster", "instance_type"], "zz9.large"), "is not an EC2 instance type: unknown family 'zz9'"
    ),
    "tag-python-object": ("x: !!python/object/apply:os.system [ls]\n", "YAML tags are not allowed"),
    "anchor-alias": ("a: &a [1]\nb: *a\n", "YAML anchors and aliases are not allowed"),
    "infinite-capacity": (_at(["autoscaling", "capacity_per_replica"], ".inf"), "is not a finite number"),
    "key-is-a-list": ("? [a, b]\n: c\n", "a key must be a plain value"),
}
FREE_TIER_CASES: dict[str, tuple[str, str]] = {
    "free-100000-cpus": (_at(["workload", "quota", "cpu"], '"100000"'), "must be ≤ 4 on the free tier"),
    "free-10000-pods": (_at(["workload", "quota", "pods"], "10000"), "must be ≤ 50 on the free tier"),
}


def _validate_one(project: Path, name: str, text: str | bytes) -> tuple[Any, Path]:
    path = project / "tenants" / f"{name}.yaml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    try:
        return run_cli(["validate", f"tenants/{name}.yaml"], project), path
    finally:
        path.unlink()


@pytest.mark.parametrize(
    ("body", "expected", "tier"),
    [pytest.param(b, e, "standard", id=n) for n, (b, e) in TENANT_CASES.items()]
    + [pytest.param(b, e, "free", id=n) for n, (b, e) in FREE_TIER_CASES.items()],
)
def test_issue_case_is_a_clean_refusal(project: Path, body: str, expected: str, tier: str) -> None:
    outcome, _ = _validate_one(project, "hostile", _tenant(body, tier))
    assert_clean_refusal(outcome)
    assert expected in outcome.output, outcome.output


def test_non_utf8_and_oversized_files_are_refused(project: Path) -> None:
    outcome, _ = _validate_one(project, "hostile", _tenant("x: ").encode() + b"\xff\xfe\n")
    assert_clean_refusal(outcome)
    assert "tenants/hostile.yaml:5: document: not UTF-8 text" in outcome.output
    outcome, _ = _validate_one(project, "hostile", _tenant("# " + "x" * 70_000 + "\n"))
    assert_clean_refusal(outcome)
    assert "file is larger than 64 KiB" in outcome.output


def test_tier_ceilings_accept_a_quota_within_them(project: Path) -> None:
    outcome, _ = _validate_one(project, "hostile", _tenant(_at(["workload", "quota", "cpu"], '"4"'), "free"))
    assert outcome.exit_code == 0, outcome.output


def test_valid_values_of_the_new_checks_are_accepted(project: Path) -> None:
    body = (
        "tenant_config:\n  aws:\n    vpc_cidr: 172.20.0.0/16\n  workload:\n"
        "    image: registry.example.com:5000/team/app@sha256:" + "a" * 64 + "\n"
        "  autoscaling:\n    schedule:\n      - {start: '*/30 8 * * MON-FRI', end: '0 18 ? * *', desired_replicas: 2}\n"
        "  database:\n    instance_class: db.m7g.2xlarge\n  cache:\n    node_type: cache.t4g.medium\n"
    )
    outcome, _ = _validate_one(project, "hostile", _tenant(body))
    assert outcome.exit_code == 0, outcome.output


STACK_CASES: dict[str, tuple[bytes, str]] = {
    "invalid-yaml": (b"config:\n  a: [\n", "stacks/Pulumi.hobby-free.yaml:"),
    "top-level-list": (b"- config\n", "document: a stack file must be a mapping"),
    "config-a-list": (b"config:\n  - a\n", "stacks/Pulumi.hobby-free.yaml:1: config: must be a mapping"),
    "duplicate-key": (b"config:\n  a:b: 1\n  a:b: 2\n", 'duplicate key "a:b"'),
    "non-utf8": (b"config:\n  a:b: \xff\n", "not UTF-8 text"),
    "alert-emails-not-a-list": (
        b"config:\n  tenant-platform:alertEmails: not-a-list\n",
        "stacks/Pulumi.hobby-free.yaml:2: config.tenant-platform.alertEmails: must be a list of email addresses",
    ),
}


@pytest.mark.parametrize(("content", "expected"), list(STACK_CASES.values()), ids=list(STACK_CASES))
def test_bad_stack_file_is_a_clean_refusal(project: Path, content: bytes, expected: str) -> None:
    stack = project / "stacks" / "Pulumi.hobby-free.yaml"
    original = stack.read_bytes()
    stack.write_bytes(content)
    try:
        outcome = run_cli(["plan", "tenants/hobby-free.yaml", "--no-policies", "--format", "json"], project)
    finally:
        stack.write_bytes(original)
    assert_clean_refusal(outcome)
    assert expected in outcome.output, outcome.output


def test_plan_reports_the_other_tenants_when_one_fails(project: Path) -> None:
    stack = project / "stacks" / "Pulumi.hobby-free.yaml"
    original = stack.read_bytes()
    stack.write_bytes(b"config:\n  tenant-platform:alertEmails: not-a-list\n")
    try:
        outcome = run_cli(
            ["plan", "tenants/hobby-free.yaml", "tenants/acme-standard.yaml", "--no-policies", "--format", "json"], project
        )
    finally:
        stack.write_bytes(original)
    assert outcome.exit_code == 2, outcome.output
    assert '"tenant": "acme-standard"' in outcome.output
    assert "stacks/Pulumi.hobby-free.yaml:2: config.tenant-platform.alertEmails:" in outcome.output


@pytest.mark.parametrize(
    "args",
    [
        ["scale", "../../outside/hobby-free", "--max", "2"],
        ["scale", "/etc/passwd", "--max", "2"],
        ["scale", "hobby-free", "--max", "9" * 400],
        ["forecast", "../../outside/hobby-free", "--metrics", "x.csv"],
        ["forecast", "--metrics", "x.csv", "--capacity-per-replica", "1", "--target-utilization", "0.7",
         "--min-replicas", "1", "--max-replicas", "9" * 400],
        ["new", "bad-region", "--region", "eu-west-1\nwaivers: []"],
        ["new", "../escape"],
        ["plan", "--today", "2026-02-30", "tenants/hobby-free.yaml"],
    ],
    ids=["scale-path", "scale-absolute", "scale-400-digits", "forecast-path", "forecast-400-digits",
         "new-region-injection", "new-path", "plan-bad-today"],
)
def test_arguments_are_ids_and_bounded_numbers(project: Path, args: list[str]) -> None:
    before = snapshot(project)
    outcome = run_cli(args, project)
    assert_clean_refusal(outcome)
    assert snapshot(project) == before
    assert not (project.parent / "outside").exists()


def test_scale_on_a_bad_tenant_file_is_a_clean_refusal(project: Path) -> None:
    path = project / "tenants" / "hobby-free.yaml"
    original = path.read_bytes()
    path.write_bytes(b"tenant_id: hobby-free\ntier: [\n")
    try:
        before = snapshot(project)
        outcome = run_cli(["scale", "hobby-free", "--max", "2"], project)
        assert snapshot(project) == before
    finally:
        path.write_bytes(original)
    assert_clean_refusal(outcome)
    assert "tenants/hobby-free.yaml:" in outcome.output


# ---- fuzz harness ----------------------------------------------------------------------------------------------

HOSTILE_SCALARS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.text(min_size=4000, max_size=5000, alphabet="ab;\n $"),
    st.sampled_from(["2026-02-30", "2026-01-01 00:00:00+25:00", ".inf", "99999999999999w", "9" * 30, "~", "", "yes",
                     "10.300.0.0/16", "nginx; rm -rf /", "a b c d e", "!!python/object x", "*a", "&a x"]),
    st.booleans(),
    st.none(),
)
VALUES = st.recursive(HOSTILE_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=12)


def _dump(data: Any) -> str:
    from io import StringIO

    out = StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.dump(data, out)
    return out.getvalue()


@settings(max_examples=25)
@given(st.binary(max_size=2000))
def test_fuzz_raw_bytes(project: Path, data: bytes) -> None:
    outcome, _ = _validate_one(project, "fuzz", data)
    assert_clean_refusal(outcome, allowed=(0, 2))


@settings(max_examples=25)
@given(st.sampled_from(["{", "[", "- ", "a:\n  " ]), st.integers(min_value=60, max_value=5000), st.sampled_from([" ", "\n"]))
def test_fuzz_deep_nesting(project: Path, opener: str, depth: int, joiner: str) -> None:
    text = _tenant("x: " + (opener + joiner) * depth + "1\n")
    outcome, _ = _validate_one(project, "fuzz", text)
    assert_clean_refusal(outcome)


@settings(max_examples=40)
@given(VALUES)
def test_fuzz_yaml_documents(project: Path, document: Any) -> None:
    outcome, _ = _validate_one(project, "fuzz", _dump(document))
    assert_clean_refusal(outcome, allowed=(0, 2))


def _example_tenants() -> list[Path]:
    return sorted((ROOT / "tenants").glob("*.yaml"))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_paths(value, (*prefix, index)))
    return found


@settings(max_examples=40)
@given(st.sampled_from(_example_tenants()), st.data())
def test_fuzz_single_field_mutations_of_example_tenants(project: Path, source: Path, data: st.DataObject) -> None:
    document = YAML(typ="safe", pure=True).load(source.read_text(encoding="utf-8"))
    paths = _paths(document)
    path = data.draw(st.sampled_from(paths))
    action = data.draw(st.sampled_from(["drop", "retype", "extreme", "long", "deep", "duplicate"]))
    parent: Any = document
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if action == "drop":
        del parent[last]
    elif action == "retype":
        parent[last] = data.draw(VALUES)
    elif action == "extreme":
        parent[last] = data.draw(st.sampled_from([10**18, -(10**18), 10**19, 1e308, -1, 0, 2**63]))
    elif action == "long":
        parent[last] = "x" * data.draw(st.integers(min_value=100, max_value=5000))
    elif action == "deep":
        value: Any = 1
        for _ in range(data.draw(st.integers(min_value=2, max_value=100))):
            value = [value]
        parent[last] = value
    text = _dump(document)
    if action == "duplicate" and isinstance(last, str):
        text += f"{last}: 1\n"
    outcome, _ = _validate_one(project, source.stem, text)
    assert_clean_refusal(outcome, allowed=(0, 2))


STACK_VALUES = st.one_of(
    st.binary(max_size=300),
    VALUES.map(lambda v: _dump({"config": v}).encode()),
    VALUES.map(lambda v: _dump({"config": {"tenant-platform:alertEmails": v}}).encode()),
    VALUES.map(lambda v: _dump(v).encode()),
)


@settings(max_examples=10)
@given(STACK_VALUES)
def test_fuzz_stack_files(project: Path, content: bytes) -> None:
    stack = project / "stacks" / "Pulumi.hobby-free.yaml"
    original = stack.read_bytes()
    stack.write_bytes(content)
    try:
        try:  # a stack file that happens to be valid renders the tenant: the plan tests cover that, slowly
            read_stack_file(stack)
            refused = False
        except SpecErrors:
            refused = True
        assume(refused)
        before = snapshot(project)
        outcome = run_cli(["plan", "tenants/hobby-free.yaml", "--no-policies", "--format", "json"], project)
        assert snapshot(project) == before
    finally:
        stack.write_bytes(original)
    assert_clean_refusal(outcome)
