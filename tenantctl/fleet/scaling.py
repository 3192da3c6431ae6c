"""Edit replica and node bounds in a tenant file in place: comments, order and quoting survive."""

from __future__ import annotations

import difflib
import io
import tempfile
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.util import load_yaml_guess_indent

from spec.errors import SpecError, SpecErrors
from spec.loader import TenantFile, load_tenant

FIELDS = {
    "min_replicas": ("autoscaling", "min_replicas"),
    "max_replicas": ("autoscaling", "max_replicas"),
    "min_nodes": ("cluster", "min_nodes"),
    "max_nodes": ("cluster", "max_nodes"),
}


def _child(parent: CommentedMap, key: str) -> CommentedMap:
    value = parent.get(key)
    if not isinstance(value, CommentedMap):
        value = CommentedMap()
        parent[key] = value
    return value


def edit_paths(text: str, changes: dict[tuple[str, ...], object]) -> str:
    """``text`` with ``tenant_config.<path>`` set per ``changes``, in ruamel round-trip mode (comments, order, quoting kept)."""
    document, indent, block_seq_indent = load_yaml_guess_indent(text)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=indent or 2, sequence=(indent or 2) + (block_seq_indent or 0), offset=block_seq_indent or 0)
    document = yaml.load(text)
    if not isinstance(document, CommentedMap):
        raise ValueError("a tenant file must be a mapping")
    for path, value in changes.items():
        node = _child(document, "tenant_config")
        for key in path[:-1]:
            node = _child(node, key)
        node[path[-1]] = value
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def edit_text(text: str, changes: dict[str, int]) -> str:
    """``text`` with ``tenant_config.<block>.<field>`` set per ``changes`` (the bounds ``scale`` edits)."""
    return edit_paths(text, {FIELDS[name]: value for name, value in changes.items()})


def scale_tenant(path: Path, changes: dict[str, int], shown: str, write: bool = True) -> tuple[TenantFile, str]:
    """Apply ``changes``, validate the result, write it (unless ``write`` is False) and return the diff.

    Raises ``SpecErrors`` (nothing written) when the edited tenant is invalid, e.g. above the tier ceiling.
    """
    if not changes:
        raise SpecErrors([SpecError(shown, 1, "", "nothing to change: pass --min, --max, --nodes-min or --nodes-max")])
    before = path.read_text(encoding="utf-8")
    after = edit_text(before, changes)
    with tempfile.TemporaryDirectory() as scratch:
        candidate = Path(scratch) / path.name
        candidate.write_text(after, encoding="utf-8")
        tenant = load_tenant(candidate, shown)
    diff = "".join(
        difflib.unified_diff(before.splitlines(True), after.splitlines(True), fromfile=f"a/{shown}", tofile=f"b/{shown}")
    )
    if write and after != before:
        scratch_file = path.with_name(f".{path.name}.tmp")
        scratch_file.write_text(after, encoding="utf-8")
        scratch_file.replace(path)  # atomic: the file is never half written
    return TenantFile(path=path, spec=tenant.spec, source=tenant.source), diff
