"""The policy pack from ``tenantctl``: per-stack pack config (waivers), the gRPC client and the reports."""
