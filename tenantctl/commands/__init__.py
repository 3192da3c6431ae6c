"""One module per ``tenantctl`` command, each with ``register(app)``."""
