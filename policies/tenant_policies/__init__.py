"""The tenant-platform CrossGuard policies (imported by ``policies/__main__.py`` and by tests)."""
