"""Verdicts → markdown (pull-request comment), SARIF 2.1.0 and JUnit XML."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from tenantctl.policy.catalog import by_name, policies
from tenantctl.policy.enforce import TenantVerdict, Violation
from tenantctl.policy.escape import markdown_code, markdown_text, sarif_message, xml_text
from tenantctl.policy.pack_config import shown_path

# Where in a tenant file a policy's outcome is decided (SARIF points there when the file states it).
SPEC_KEYS: dict[str, tuple[str, ...]] = {
    "encryption": ("tenant_config", "security", "encryption"),
    "transit": ("tenant_config", "security", "encryption"),
    "isolation": ("tenant_config", "security", "isolation_level"),
    "audit": ("tenant_config", "security", "audit_logging"),
    "residency": ("region",),
    "resilience": ("tenant_config", "database"),
    "autoscaling": ("tenant_config", "autoscaling", "max_replicas"),
}
BY_NAME_KEYS: dict[str, tuple[str, ...]] = {
    "retention": ("tenant_config", "monitoring", "metrics_retention"),
    "alerting": ("tenant_config", "monitoring", "alert_channels"),
    "tenant-tag": ("tenant_id",),
    "tenant-label": ("tenant_id",),
    "backup-retention": ("tenant_config", "database", "backup_retention_days"),
    "deletion-protection": ("tenant_config", "database", "deletion_protection"),
    "multi-az": ("tenant_config", "database", "high_availability"),
    "zone-redundant": ("tenant_config", "database", "high_availability"),
    "regional-ha": ("tenant_config", "database", "high_availability"),
    "nodegroup-scaling": ("tenant_config", "cluster", "max_nodes"),
    "nodepool-scaling": ("tenant_config", "cluster", "max_nodes"),
    "resource-quota": ("tenant_config", "workload", "quota"),
}


def spec_key(policy: str) -> tuple[str, ...]:
    for fragment, key in BY_NAME_KEYS.items():
        if fragment in policy:
            return key
    entry = by_name().get(policy)
    return SPEC_KEYS.get(entry.category if entry else "", ("tenant_id",))


def line_for(verdict: TenantVerdict, policy: str) -> int:
    tenant = verdict.rendered.tenant
    key = spec_key(policy)
    return tenant.line_of(key if key[0] in tenant.source else ("tier",))


def _status(v: Violation) -> str:
    return "waived" if v.waived else v.level


def markdown(verdicts: list[TenantVerdict]) -> str:
    lines = ["## Policy report", "", "| tenant | resources | blocking | advisory | waived |", "|---|---:|---:|---:|---:|"]
    for v in verdicts:
        waived = sum(x.waived for x in v.violations)
        advisory = sum(x.level == "advisory" and not x.waived for x in v.violations)
        lines.append(f"| {markdown_code(v.rendered.tenant_id)} | {v.analyzed} | {len(v.blocking)} | {advisory} | {waived} |")
    for v in verdicts:
        if not v.violations and not any(not w.active for w in v.waivers):
            continue
        lines += ["", f"### {markdown_code(v.rendered.tenant_id)}", ""]
        for x in v.violations:
            mark = "❌" if x.blocking else "⚠️"
            lines.append(
                f"- {mark} **{markdown_text(x.policy)}** ({_status(x)}, {markdown_text(x.severity)}): "
                f"{markdown_text(x.message)}  \n  {markdown_code(x.urn)}"
            )
        for w in v.waivers:
            if not w.active:
                lines.append(
                    f"- ⏰ waiver for **{markdown_text(w.policy)}** expired on {w.expires.isoformat()} "
                    f"(owner {markdown_text(w.owner)})"
                )
    blocking = sum(len(v.blocking) for v in verdicts)
    lines += ["", f"**{blocking} blocking violation(s)**" if blocking else "**No blocking violations.**"]
    return "\n".join(lines) + "\n"


def sarif(verdicts: list[TenantVerdict], version: str = "0.1.0") -> dict[str, Any]:
    catalog = list(policies())
    index = {p.name: i for i, p in enumerate(catalog)}
    rules = [
        {
            "id": p.name,
            "name": p.name,
            "shortDescription": {"text": p.description},
            "fullDescription": {"text": p.description},
            "help": {
                "text": p.remediation,
                "markdown": f"**Remediation:** {p.remediation}\n\n**Controls:** {', '.join(p.frameworks)}",
            },
            "defaultConfiguration": {"level": "error" if p.mandatory else "warning"},
            "properties": {"tags": [p.category, *p.frameworks], "severity": p.severity},
        }
        for p in catalog
    ]
    results = []
    for v in verdicts:
        uri = shown_path(v.rendered.tenant)
        for x in v.violations:
            result: dict[str, Any] = {
                "ruleId": x.policy,
                "level": "error" if x.blocking else "warning",
                "message": {"text": sarif_message(x.message)},
                "locations": [
                    {
                        "physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": line_for(v, x.policy)}},
                        "logicalLocations": [{"fullyQualifiedName": x.urn or v.rendered.tenant_id, "kind": "resource"}],
                    }
                ],
                "properties": {"tenant": v.rendered.tenant_id, "severity": x.severity},
            }
            if x.policy in index:
                result["ruleIndex"] = index[x.policy]
            if x.waived:
                reason = next((w.reason for w in v.waivers if w.policy == x.policy and w.active), "waived")
                result["suppressions"] = [{"kind": "external", "justification": sarif_message(reason)}]
            results.append(result)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {"tool": {"driver": {"name": "tenant-platform-policies", "version": version, "rules": rules}}, "results": results}
        ],
    }


def junit(verdicts: list[TenantVerdict]) -> str:
    root = ET.Element("testsuites", name="tenant-platform policies")
    total = failures = 0
    for v in verdicts:
        suite = ET.SubElement(root, "testsuite", name=v.rendered.tenant_id)
        cases = failed = skipped = 0
        for p in policies():
            found = [x for x in v.violations if x.policy == p.name]
            case = ET.SubElement(suite, "testcase", name=p.name, classname=f"tenants.{v.rendered.tenant_id}")
            cases += 1
            blocking = [x for x in found if x.blocking]
            if blocking:
                failed += 1
                failure = ET.SubElement(case, "failure", message=xml_text(blocking[0].message), type=p.severity)
                failure.text = xml_text("\n".join(f"{x.urn}: {x.message}" for x in blocking))
            elif found and all(x.waived for x in found):
                skipped += 1
                ET.SubElement(case, "skipped", message=xml_text("waived: " + found[0].message))
            elif found:
                ET.SubElement(case, "system-out").text = xml_text("\n".join(f"advisory {x.urn}: {x.message}" for x in found))
        suite.set("tests", str(cases))
        suite.set("failures", str(failed))
        suite.set("skipped", str(skipped))
        total += cases
        failures += failed
    root.set("tests", str(total))
    root.set("failures", str(failures))
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def sarif_text(verdicts: list[TenantVerdict]) -> str:
    return json.dumps(sarif(verdicts), indent=2) + "\n"
