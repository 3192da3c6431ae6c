"""The tenant's way in: its certificate, a ListenerSet on the cluster's Gateway and the HTTPRoute to its Service.

Request path: internet → the cloud's load balancer → Envoy proxy pods of the cluster's one Gateway
(``addons.contract``) → the tenant's HTTPS listener (ListenerSet, TLS terminated with the tenant's own
certificate) → the tenant's HTTPRoute → the workload's ClusterIP Service → a pod, admitted by the
tenant NetworkPolicy only from those proxy pods. There is no HTTP listener: plain-text requests find no
listener for the tenant's hosts at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.addons.contract import (
    DEFAULT_CERT_ISSUER,
    DEFAULT_INGRESS_DOMAIN,
    GATEWAY_NAME,
    GATEWAY_NAMESPACE,
)
from components.kubernetes.meta import Manifest, object_meta
from spec.models import AnyTenant

GATEWAY_API = "gateway.networking.k8s.io"
GATEWAY_API_VERSION = f"{GATEWAY_API}/v1"
CERT_MANAGER_API_VERSION = "cert-manager.io/v1"
HTTPS_PORT = 443
LISTENER_PREFIX = "https-"


@dataclass(frozen=True)
class IngressSettings:
    """Stack settings the tenant's ingress needs (``tenant-platform:certIssuer`` / ``ingressDomain``)."""

    cert_issuer: str = DEFAULT_CERT_ISSUER
    ingress_domain: str = DEFAULT_INGRESS_DOMAIN

    @classmethod
    def of(cls, cert_issuer: str | None, ingress_domain: str | None) -> IngressSettings:
        return cls(cert_issuer or DEFAULT_CERT_ISSUER, ingress_domain or DEFAULT_INGRESS_DOMAIN)


def hosts(spec: AnyTenant, settings: IngressSettings) -> list[str]:
    """The tenant's host names, or the platform's default ``<tenant_id>.<ingress domain>``."""
    return list(spec.config.ingress.hostnames) or [f"{spec.tenant_id}.{settings.ingress_domain}"]


def object_name(spec: AnyTenant) -> str:
    """One name for the tenant's Certificate, ListenerSet, HTTPRoute and traffic policy: the workload's."""
    return spec.config.workload.name


def tls_secret_name(spec: AnyTenant) -> str:
    return f"{object_name(spec)}-tls"


def listener_names(spec: AnyTenant, settings: IngressSettings) -> list[str]:
    # By position, not by host: a host name may be as long as a listener name may be.
    return [f"{LISTENER_PREFIX}{index}" for index, _ in enumerate(hosts(spec, settings))]


def certificate_spec(spec: AnyTenant, settings: IngressSettings) -> Manifest:
    return {
        "secretName": tls_secret_name(spec),  # in the tenant's namespace: the listeners reference no other
        "dnsNames": hosts(spec, settings),
        "issuerRef": {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": settings.cert_issuer},
        # A fresh key at every renewal: a key that leaked once does not stay valid for the next certificate.
        "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
    }


def listener_set_spec(spec: AnyTenant, settings: IngressSettings) -> Manifest:
    secret = tls_secret_name(spec)
    return {
        # The Gateway lives in its own namespace; it admits ListenerSets only from labelled tenant namespaces.
        "parentRef": {"group": GATEWAY_API, "kind": "Gateway", "name": GATEWAY_NAME, "namespace": GATEWAY_NAMESPACE},
        "listeners": [
            {
                "name": listener,
                "hostname": host,
                "port": HTTPS_PORT,
                "protocol": "HTTPS",
                # Terminated at the gateway with the tenant's own certificate, from its own namespace
                # (no namespace on the ref: nothing cross-namespace to grant).
                "tls": {"mode": "Terminate", "certificateRefs": [{"group": "", "kind": "Secret", "name": secret}]},
                # Only routes of the tenant's own namespace attach to its listeners.
                "allowedRoutes": {"namespaces": {"from": "Same"}, "kinds": [{"group": GATEWAY_API, "kind": "HTTPRoute"}]},
            }
            for listener, host in zip(listener_names(spec, settings), hosts(spec, settings), strict=True)
        ],
    }


def http_route_spec(spec: AnyTenant, settings: IngressSettings) -> Manifest:
    workload = spec.config.workload
    return {
        # Each HTTPS listener by its section name: a parentRef without one would attach to every listener of
        # the parent, an HTTP one included should it ever get one.
        "parentRefs": [
            {"group": GATEWAY_API, "kind": "ListenerSet", "name": object_name(spec), "sectionName": listener}
            for listener in listener_names(spec, settings)
        ],
        "hostnames": hosts(spec, settings),
        "rules": [
            {
                "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                "backendRefs": [{"group": "", "kind": "Service", "name": workload.name, "port": workload.port}],
            }
        ],
    }


def build_ingress(
    name: str,
    spec: AnyTenant,
    namespace: pulumi.Input[str],
    settings: IngressSettings,
    opts: pulumi.ResourceOptions,
) -> k8s.apiextensions.CustomResource:
    """Certificate, ListenerSet and HTTPRoute; returns the HTTPRoute the traffic policy targets."""
    k8s.apiextensions.CustomResource(
        f"{name}-certificate",
        api_version=CERT_MANAGER_API_VERSION,
        kind="Certificate",
        metadata=object_meta(object_name(spec), namespace, spec),
        spec=certificate_spec(spec, settings),
        opts=opts,
    )
    listener_set = k8s.apiextensions.CustomResource(
        f"{name}-listenerset",
        api_version=GATEWAY_API_VERSION,
        kind="ListenerSet",
        metadata=object_meta(object_name(spec), namespace, spec),
        spec=listener_set_spec(spec, settings),
        opts=opts,
    )
    return k8s.apiextensions.CustomResource(
        f"{name}-httproute",
        api_version=GATEWAY_API_VERSION,
        kind="HTTPRoute",
        metadata=object_meta(object_name(spec), namespace, spec),
        spec=http_route_spec(spec, settings),
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[listener_set])),
    )
