"""Every pod template of every Kubernetes workload type the engine may send, and every container in it.

A policy on pods must see the same pod wherever it is nested: a Deployment's ``spec.template.spec``, a
CronJob's ``spec.jobTemplate.spec.template.spec``, a bare Pod's ``spec``, each item of a ``*List``,
and every container of ``containers``, ``initContainers`` and ``ephemeralContainers``. A check that
reads only ``containers`` of Deployments lets the same privileged container through as an init
container or in a CronJob, so the workload policies find pods only through this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .base import get

# Where the pod spec sits, by kind; the groups and versions each kind has been served from.
_TEMPLATE = ("spec", "template", "spec")
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "ReplicationController": _TEMPLATE,
    "Deployment": _TEMPLATE,
    "StatefulSet": _TEMPLATE,
    "DaemonSet": _TEMPLATE,
    "ReplicaSet": _TEMPLATE,
    "Job": _TEMPLATE,
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
_GROUPS: dict[str, frozenset[str]] = {
    "core": frozenset({"Pod", "PodTemplate", "ReplicationController"}),
    "apps": frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}),
    "extensions": frozenset({"Deployment", "DaemonSet", "ReplicaSet"}),
    "batch": frozenset({"Job", "CronJob"}),
}
_TYPE = re.compile(r"^kubernetes:(?P<group>[a-z0-9.]+)/(?P<version>v[0-9a-z]+):(?P<kind>[A-Za-z]+?)(?P<list>List)?$")

CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
_LABELS = {"containers": "Container", "initContainers": "Init container", "ephemeralContainers": "Ephemeral container"}


def workload_kind(type_: str) -> tuple[str, bool] | None:
    """``kubernetes:batch/v1:CronJob`` → ("CronJob", False); a ``*List`` → (kind, True); else None."""
    match = _TYPE.match(type_)
    if match is None:
        return None
    kind = match["kind"]
    if kind not in _GROUPS.get(match["group"], frozenset()):
        return None
    return kind, match["list"] is not None


def is_workload(type_: str) -> bool:
    return workload_kind(type_) is not None


@dataclass(frozen=True)
class Container:
    """One container of a pod template; ``label`` names it in messages (``Init container 'setup'``)."""

    list: str  # containers | initContainers | ephemeralContainers
    index: int
    body: Mapping[str, Any]
    prefix: str

    @property
    def name(self) -> str:
        name = self.body.get("name")
        return name if isinstance(name, str) and name else f"{self.list}[{self.index}]"

    @property
    def label(self) -> str:
        return f"{self.prefix}{_LABELS[self.list]} '{self.name}'"

    @property
    def security(self) -> Mapping[str, Any]:
        found = self.body.get("securityContext")
        return found if isinstance(found, Mapping) else {}


@dataclass(frozen=True)
class PodTemplate:
    """A pod spec with the metadata that travels with it (annotations of the template and of the object)."""

    spec: Mapping[str, Any]
    annotations: Mapping[str, Any]  # the object's, then the pod template's (the template's win)
    prefix: str  # "" for a single object, "items[2]: " for an item of a *List

    @property
    def label(self) -> str:
        return f"{self.prefix}Pod"

    @property
    def security(self) -> Mapping[str, Any]:
        found = self.spec.get("securityContext")
        return found if isinstance(found, Mapping) else {}

    def containers(self) -> Iterator[Container]:
        for list_name in CONTAINER_LISTS:
            items = self.spec.get(list_name)
            if not isinstance(items, list):
                continue
            for index, body in enumerate(items):
                if isinstance(body, Mapping):
                    yield Container(list_name, index, body, self.prefix)

    def volumes(self) -> Iterator[Mapping[str, Any]]:
        items = self.spec.get("volumes")
        for volume in items if isinstance(items, list) else []:
            if isinstance(volume, Mapping):
                yield volume


def _annotations(*sources: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for source in sources:
        if isinstance(source, Mapping):
            out.update(source)
    return out


def _template(kind: str, obj: Mapping[str, Any], prefix: str) -> PodTemplate | None:
    path = POD_SPEC_PATHS[kind]
    spec = get(obj, *path)
    if not isinstance(spec, Mapping):
        return None
    # The template's own metadata sits beside its spec (``spec.template.metadata``); a bare Pod has only its own.
    template_meta = get(obj, *path[:-1], "metadata") if len(path) > 1 else None
    annotations = _annotations(get(obj, "metadata", "annotations"), get(template_meta, "annotations"))
    return PodTemplate(spec, annotations, prefix)


def pod_templates(type_: str, props: Mapping[str, Any]) -> Iterator[PodTemplate]:
    """Every pod template of the object (each item's for a ``*List``); nothing for other types."""
    found = workload_kind(type_)
    if found is None:
        return
    kind, is_list = found
    if not is_list:
        template = _template(kind, props, "")
        if template is not None:
            yield template
        return
    items = props.get("items")
    for index, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, Mapping):
            template = _template(kind, item, f"items[{index}]: ")
            if template is not None:
                yield template
