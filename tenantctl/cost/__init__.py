"""Cost: what each tenant's rendered estate costs per month, before it is deployed.

plan (rendered resources, engine camelCase inputs) → ``pricing`` (one function per resource type
that costs money) → line items priced from ``catalogue.csv`` (cited rows) or shown as unpriced →
``estimate`` (per tenant, min / expected / max, pooled tenants' share of their shared cluster) →
``report`` (table, JSON, Markdown) and ``diff`` (a pull request's monthly delta).
"""
