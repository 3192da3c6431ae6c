"""CI trust (issue 10, point 4): pull requests never hold deploy credentials, and CI runs only pinned code.

Read from the workflow files themselves; ``tests/test_workflows.py`` runs actionlint on them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
ACTIONS = sorted((GITHUB / "actions").glob("*/action.yml"))
DEPLOY_SECRETS = ("secrets.PULUMI_ACCESS_TOKEN", "secrets.PULUMI_CONFIG_PASSPHRASE")
DEPLOY_IDENTITIES = (
    "vars.AWS_ROLE_ARN", "vars.AZURE_CLIENT_ID", "vars.GCP_WORKLOAD_IDENTITY_PROVIDER", "vars.GCP_SERVICE_ACCOUNT",
)
SHA_PIN = re.compile(
    r"^\s*-?\s*uses:\s*(?P<action>[\w.-]+/[\w./-]+)@(?P<ref>\S+)(?P<comment>\s+#\s*(?P<version>v\d+(\.\d+)*))?\s*$"
)


def _load(path: Path) -> dict[str, Any]:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _text(node: Any) -> str:
    """A job as text, to search for every expression it could read."""
    import json

    return json.dumps(node)


def test_the_preview_job_has_its_own_read_only_identities() -> None:
    preview = _load(GITHUB / "workflows" / "pull-request.yml")["jobs"]["preview"]
    assert preview["environment"] == "preview"
    text = _text(preview)
    for forbidden in (*DEPLOY_SECRETS, *DEPLOY_IDENTITIES):
        assert forbidden not in text, f"the preview job reads {forbidden}"
    assert "PULUMI_CONFIG_PASSPHRASE" not in text
    assert preview["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PREVIEW_PULUMI_ACCESS_TOKEN }}"
    logins = {s["uses"].split("@")[0]: s for s in preview["steps"] if "uses" in s}
    assert logins["aws-actions/configure-aws-credentials"]["with"]["role-to-assume"] == "${{ vars.PREVIEW_AWS_ROLE_ARN }}"
    assert logins["azure/login"]["with"]["client-id"] == "${{ vars.PREVIEW_AZURE_CLIENT_ID }}"
    assert logins["google-github-actions/auth"]["with"]["service_account"] == "${{ vars.PREVIEW_GCP_SERVICE_ACCOUNT }}"


def test_the_offline_pull_request_job_reads_no_secret_at_all() -> None:
    offline = _load(GITHUB / "workflows" / "pull-request.yml")["jobs"]["offline"]
    assert "secrets." not in _text(offline)
    assert "id-token" not in offline["permissions"]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_deploy_credentials_only_in_jobs_gated_by_a_deploy_environment(workflow: Path) -> None:
    flow = _load(workflow)
    assert not any(s in _text(flow.get("env") or {}) for s in DEPLOY_SECRETS), "no workflow-wide deploy secrets"
    for name, job in flow["jobs"].items():
        if any(s in _text(job) for s in DEPLOY_SECRETS):
            assert job.get("environment") in {"production", "enterprise"}, f"{workflow.name}:{name}"


@pytest.mark.parametrize("path", [*WORKFLOWS, *ACTIONS], ids=lambda p: str(p.relative_to(GITHUB)))
def test_every_third_party_action_is_pinned_by_commit_sha_with_its_version(path: Path) -> None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if "uses:" not in line or "uses: ./" in line:
            continue
        match = SHA_PIN.match(line)
        assert match, f"{path.name}:{number}: unparsed uses: {line.strip()}"
        assert re.fullmatch(r"[0-9a-f]{40}", match["ref"]), f"{path.name}:{number}: {match['action']} pinned by tag"
        assert match["version"], f"{path.name}:{number}: the version belongs in a comment beside the SHA"


@pytest.mark.parametrize("path", [*WORKFLOWS, *ACTIONS], ids=lambda p: str(p.relative_to(GITHUB)))
def test_nothing_is_piped_from_the_network_into_a_shell(path: Path) -> None:
    code = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#"))
    assert not re.search(r"(curl|wget)[^\n|]*\|\s*(ba|z)?sh", code)


def test_the_pulumi_cli_is_pinned_and_checksummed() -> None:
    action = _load(GITHUB / "actions" / "setup-pulumi" / "action.yml")
    assert re.fullmatch(r"3\.\d+\.\d+", action["inputs"]["version"]["default"])
    assert re.fullmatch(r"[0-9a-f]{64}", action["inputs"]["sha256"]["default"])
    script = action["runs"]["steps"][0]["run"]
    assert script.index("sha256sum --check") < script.index("tar -xzf")  # verified before it is unpacked
    for workflow in WORKFLOWS:
        flow = _load(workflow)
        for job in flow["jobs"].values():
            steps = job["steps"]
            runs_pulumi = any(re.search(r"tenantctl (preview|up|drift)\b(?!.*--list)", s.get("run", "")) for s in steps)
            if runs_pulumi:
                assert any(s.get("uses") == "./.github/actions/setup-pulumi" for s in steps), workflow.name


def test_codeowners_gives_waivers_and_policies_to_security() -> None:
    rules = [line.split() for line in (GITHUB / "CODEOWNERS").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    owners = {rule[0]: rule[1:] for rule in rules}
    assert owners["/waivers/"] == ["@tenant-platform/security-team"]
    assert owners["/policies/"] == ["@tenant-platform/security-team"]
    assert owners["/tenants/"] == ["@tenant-platform/platform-team"]
    # the last matching rule wins: nothing after /waivers/ may match it again
    assert [r[0] for r in rules].index("/waivers/") > [r[0] for r in rules].index("*")
