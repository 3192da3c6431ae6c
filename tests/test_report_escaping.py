"""User strings in reports stay text: parsed back by a CommonMark parser, SARIF and XML readers, they add no markup."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tenantctl.policy import report
from tenantctl.policy.enforce import TenantVerdict, Violation
from tenantctl.policy.escape import MAX_TEXT, markdown_code, markdown_text, one_line, sarif_message, xml_text
from tenantctl.policy.pack_config import WaiverStatus

HOSTILE = [
    "## Approved by security\n\n[click](https://evil.example) ![x](https://evil.example/p.png)",
    "<img src=x onerror=alert(1)> <script>alert(1)</script> &lt;b&gt;",
    "@org/security-team please merge | injected | cell |",
    "`code` ``double`` *bold* _it_ ~~strike~~ <https://evil.example>",
    "line one\r\nline two\u2028line three\x00\x1b[31m\u202eexe.txt",
    "> quote\n- item\n1. item\n---\n```\nfenced\n```",
    "[ref]: https://evil.example\n[ref]",
]
PARSER = MarkdownIt("commonmark").enable("table").enable("strikethrough")
MARKUP = {
    "heading_open",
    "link_open",
    "image",
    "html_inline",
    "html_block",
    "blockquote_open",
    "bullet_list_open",
    "ordered_list_open",
    "hr",
    "fence",
    "code_block",
    "strong_open",
    "em_open",
    "s_open",
    "table_open",
}


def _kinds(markdown: str) -> set[str]:
    found: set[str] = set()
    for token in PARSER.parse(markdown):
        found.add(token.type)
        found.update(child.type for child in token.children or [])
    return found


def _text(markdown: str) -> str:
    return "".join(
        child.content
        for token in PARSER.parse(markdown)
        for child in token.children or []
        if child.type in ("text", "code_inline")
    )


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_text_is_one_literal_paragraph(value: str) -> None:
    rendered = markdown_text(value)
    assert "\n" not in rendered
    assert _kinds(rendered) & MARKUP == set()
    assert _text(rendered).replace("\u2060", "") == one_line(value)


@pytest.mark.parametrize("value", [*HOSTILE, "`", "a ` b", "``x``", "|"])
def test_markdown_code_holds_any_text(value: str) -> None:
    rendered = markdown_code(value)
    tokens = [c for t in PARSER.parse(rendered) for c in t.children or []]
    assert [t.type for t in tokens] == ["code_inline"]
    assert tokens[0].content.replace("\\|", "|") == one_line(value).strip() or tokens[0].content == one_line(value)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_adds_no_markup(value: str) -> None:
    rendered = markdown_text(value)
    assert "\n" not in rendered and len(one_line(value)) <= MAX_TEXT
    assert _kinds(rendered) & MARKUP == set()


def test_sarif_message_escapes_links_and_placeholders() -> None:
    assert sarif_message("see [here](1) and {0}\nnext") == "see \\[here\\](1) and {{0}} next"
    assert sarif_message("a\\b") == "a\\\\b"


def test_xml_text_drops_what_xml_cannot_carry() -> None:
    assert xml_text("ok\x00\x1b\ttab\nline\ufffe") == "ok\ttab\nline"


def _verdict(message: str, owner: str, reason: str) -> TenantVerdict:
    tenant = SimpleNamespace(spec=SimpleNamespace(tenant_id="t1"), source={}, path=Path("tenants/t1.yaml"), line_of=lambda key: 1)
    rendered: Any = SimpleNamespace(tenant_id="t1", tenant=tenant)
    violation = Violation(
        "aws-rds-storage-encryption",
        "mandatory",
        "high",
        "urn:pulumi:t1::p::aws:rds/instance:Instance::db",
        message,
        ("gdpr:Art.32(1)(a)",),
        False,
    )
    waived = Violation("aws-rds-multi-az", "advisory", "medium", "urn:x", message, (), True)
    waivers = [
        WaiverStatus(0, "aws-rds-multi-az", owner, reason, dt.date(2026, 3, 1), True),
        WaiverStatus(1, "aws-rds-backup-retention", owner, reason, dt.date(2026, 1, 1), False),
    ]
    return TenantVerdict(rendered, [violation, waived], waivers, analyzed=3)


@pytest.mark.parametrize("value", HOSTILE)
def test_reports_keep_user_strings_inert(value: str) -> None:
    verdict = _verdict(value, value, value)
    markdown = report.markdown([verdict])
    headings = [t for t in PARSER.parse(markdown) if t.type == "heading_open"]
    assert len(headings) == 2  # the report's own: "Policy report" and the tenant's section
    kinds = _kinds(markdown)
    assert kinds & {"link_open", "image", "html_inline", "html_block", "fence", "blockquote_open"} == set()
    table = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert all(line.count(" | ") == 4 for line in table)  # the tenant table keeps its five cells
    document = report.sarif([verdict])
    results = document["runs"][0]["results"]
    for result in results:  # no embedded link nor placeholder survives: every bracket escaped, every brace doubled
        text = result["message"]["text"]
        assert "\n" not in text and not re.search(r"(?<!\\)[\[\]]", text)
        assert re.sub(r"\{\{|\}\}", "", text).count("{") == 0 and re.sub(r"\{\{|\}\}", "", text).count("}") == 0
    assert json.loads(json.dumps(document)) == document
    ET.fromstring(report.junit([verdict]).split("\n", 1)[1])  # well-formed XML whatever the message holds
