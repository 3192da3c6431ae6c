"""Per-cloud facts the schema needs: regions, EU residency, sizes per tier, cloud-only knobs.

Each module exposes ``REGIONS``, ``EU_REGIONS``, ``TIER_SIZES`` and an ``Options`` model.
"""
