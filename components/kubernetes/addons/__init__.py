"""The add-on baseline every cluster the package creates runs (silo clusters and shared cluster stacks)."""
