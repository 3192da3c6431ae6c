"""Cloud-independent Kubernetes tenancy."""
