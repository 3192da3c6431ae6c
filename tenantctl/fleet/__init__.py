"""Fleet operations: select tenants, roll stack operations out in waves, report.

The Pulumi Automation API sits behind :class:`tenantctl.fleet.runner.Runner`; everything
else here (selection, waves, parallelism, timeouts, reporting) is plain Python that is
tested with a fake runner.
"""
