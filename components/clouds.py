"""Lazy registry of cloud builders: importing one cloud's SDK only when a tenant uses it."""

from __future__ import annotations

import importlib

from components.estate import CloudBuilder, SharedClusterBuilder

# cloud → module exposing ``build_estate`` (a CloudBuilder) and ``build_shared_cluster``.
_MODULES = {"aws": "components.aws", "azure": "components.azure", "gcp": "components.gcp"}


def _module(cloud: str):  # type: ignore[no-untyped-def]
    if cloud not in _MODULES:
        raise ValueError(f"unknown cloud {cloud!r}")
    return importlib.import_module(_MODULES[cloud])


def estate_builder(cloud: str) -> CloudBuilder:
    return _module(cloud).build_estate  # type: ignore[no-any-return]


def shared_cluster_builder(cloud: str) -> SharedClusterBuilder:
    return _module(cloud).build_shared_cluster  # type: ignore[no-any-return]
