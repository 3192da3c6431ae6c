"""What the cluster's gateway add-on promises the tenancies that route through it.

The shared cluster stack (or a silo tenant's own cluster) creates the Gateway; each tenant creates, in its
own namespace, a ListenerSet with its host names and certificate, an HTTPRoute and its traffic policies.
Both sides import these names from here so that neither can drift from the other.
"""

from __future__ import annotations

# Envoy Gateway's controller, the cluster's one Gateway and the Envoy proxies it deploys live here.
GATEWAY_NAMESPACE = "envoy-gateway-system"
GATEWAY_NAME = "tenants"
GATEWAY_CLASS = "envoy"
# The Gateway admits ListenerSets and routes only from namespaces carrying this label (tenant namespaces).
INGRESS_NAMESPACE_LABEL = ("tenant-platform.io/ingress", "allowed")
# Labels Envoy Gateway puts on the proxy pods: the tenant NetworkPolicy admits ingress from these alone.
PROXY_POD_LABELS = {"app.kubernetes.io/name": "envoy", "app.kubernetes.io/component": "proxy"}
# cert-manager issues tenant certificates from this ClusterIssuer unless stack config names another
# (``tenant-platform:certIssuer``).
DEFAULT_CERT_ISSUER = "tenant-platform-acme"
# A tenant's default host is <tenant_id>.<domain>, the domain from ``tenant-platform:ingressDomain``.
DEFAULT_INGRESS_DOMAIN = "tenants.example.net"
