"""One VerticalPodAutoscaler per tenant workload, in recommendation mode.

Why ``updateMode: "Off"``: the HPA (or KEDA's HPA) scales the workload on CPU and memory utilisation,
which is usage divided by the pods' *requests*. A VPA that rewrote those requests would move the HPA's
denominator under it: raise the requests and utilisation drops, the HPA scales in, usage per pod rises,
the VPA raises again; the two controllers chase each other. Controlling only the resources the HPA does
not scale on leaves nothing here, since it scales on both. So the VPA only recommends: its
``status.recommendation`` is what an operator (or ``tenantctl``) reads to right-size
``workload.cpu_request``/``memory_request`` in the tenant file, where the quota, the LimitRange and the
HPA see the change together.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.autoscaling import target_ref
from components.kubernetes.meta import Manifest, object_meta
from spec.models import AnyTenant

VPA_API_VERSION = "autoscaling.k8s.io/v1"
UPDATE_MODE = "Off"


def vpa_spec(spec: AnyTenant) -> Manifest:
    workload = spec.config.workload
    return {
        "targetRef": target_ref(spec),
        "updatePolicy": {"updateMode": UPDATE_MODE},
        "resourcePolicy": {
            "containerPolicies": [
                {
                    "containerName": workload.name,
                    "controlledResources": ["cpu", "memory"],
                    # Requests and limits together: a recommendation keeps the limit-to-request ratio the
                    # namespace's LimitRange allows (maxLimitRequestRatio).
                    "controlledValues": "RequestsAndLimits",
                }
            ]
        },
    }


def build_vpa(
    name: str,
    spec: AnyTenant,
    namespace: pulumi.Input[str],
    deployment: k8s.apps.v1.Deployment,
    opts: pulumi.ResourceOptions,
) -> k8s.apiextensions.CustomResource:
    return k8s.apiextensions.CustomResource(
        f"{name}-vpa",
        api_version=VPA_API_VERSION,
        kind="VerticalPodAutoscaler",
        metadata=object_meta(spec.config.workload.name, namespace, spec),
        spec=vpa_spec(spec),
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[deployment])),
    )
