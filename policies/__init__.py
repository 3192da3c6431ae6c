"""The tenant-platform policy pack (``pulumi preview --policy-pack policies``; offline in ``tenantctl plan``)."""
