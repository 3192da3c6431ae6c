"""pulumi-gcp under mocks: ids and self links, GKE endpoint and CA, Cloud SQL and Memorystore addresses, service agents."""

from __future__ import annotations

import base64
from typing import Any

PROJECT_NUMBER = "123456789012"
API = "https://www.googleapis.com/compute/v1"
ZONE_SUFFIXES = ("b", "c", "d")


def _ip(rid: str, prefix: str = "10.69") -> str:
    return f"{prefix}.{int(rid[:2], 16)}.{int(rid[2:4], 16) % 250 + 2}"


def outputs(type_: str, name: str, inputs: dict[str, Any], rid: str) -> dict[str, Any]:
    project = str(inputs.get("project") or "tenant-platform-placeholder")
    region = str(inputs.get("region") or inputs.get("location") or "europe-west1")
    physical = str(inputs.get("name") or name)
    state: dict[str, Any] = {"name": physical, "project": project}
    if type_ == "gcp:compute/network:Network":
        rel = f"projects/{project}/global/networks/{physical}"
        state.update(id=rel, selfLink=f"{API}/{rel}", numericId=str(int(rid[:12], 16)))
    elif type_ == "gcp:compute/subnetwork:Subnetwork":
        rel = f"projects/{project}/regions/{region}/subnetworks/{physical}"
        state.update(id=rel, selfLink=f"{API}/{rel}", gatewayAddress=_ip(rid, "10.2"))
    elif type_ == "gcp:compute/router:Router":
        rel = f"projects/{project}/regions/{region}/routers/{physical}"
        state.update(id=rel, selfLink=f"{API}/{rel}")
    elif type_ == "gcp:compute/globalAddress:GlobalAddress":
        rel = f"projects/{project}/global/addresses/{physical}"
        state.update(id=rel, selfLink=f"{API}/{rel}")
    elif type_ == "gcp:servicenetworking/connection:Connection":
        state.update(peering="servicenetworking-googleapis-com", name=None)
    elif type_ == "gcp:kms/keyRing:KeyRing":
        state["id"] = f"projects/{project}/locations/{inputs.get('location')}/keyRings/{physical}"
    elif type_ == "gcp:kms/cryptoKey:CryptoKey":
        state.update(id=f"{inputs.get('keyRing')}/cryptoKeys/{physical}",
                     primaries=[{"name": f"{inputs.get('keyRing')}/cryptoKeys/{physical}/cryptoKeyVersions/1",
                                 "state": "ENABLED"}])
    elif type_ == "gcp:projects/serviceIdentity:ServiceIdentity":
        agents = {"sqladmin.googleapis.com": "gcp-sa-cloud-sql", "redis.googleapis.com": "cloud-redis"}
        domain = agents.get(str(inputs.get("service")), "gcp-sa-mock")
        state["email"] = f"service-{PROJECT_NUMBER}@{domain}.iam.gserviceaccount.com"
        state["member"] = f"serviceAccount:{state['email']}"
    elif type_ == "gcp:serviceaccount/account:Account":
        email = f"{inputs.get('accountId')}@{project}.iam.gserviceaccount.com"
        state.update(email=email, name=f"projects/{project}/serviceAccounts/{email}", uniqueId=str(int(rid[:15], 16)),
                     member=f"serviceAccount:{email}")
    elif type_ == "gcp:container/cluster:Cluster":
        endpoint = _ip(rid, "172.16")
        state.update(
            id=f"projects/{project}/locations/{region}/clusters/{physical}",
            selfLink=f"https://container.googleapis.com/v1/projects/{project}/locations/{region}/clusters/{physical}",
            endpoint=endpoint,
            masterAuth={
                "clusterCaCertificate": base64.b64encode(f"mock-ca-{physical}".encode()).decode(),
                "clientCertificateConfig": {"issueClientCertificate": False},
            },
            privateClusterConfig={**(inputs.get("privateClusterConfig") or {}), "privateEndpoint": endpoint},
            masterVersion=inputs.get("minMasterVersion"),
        )
    elif type_ == "gcp:container/nodePool:NodePool":
        state.update(id=f"projects/{project}/locations/{region}/clusters/{inputs.get('cluster')}/nodePools/{physical}",
                     instanceGroupUrls=[f"{API}/projects/{project}/zones/{region}-b/instanceGroupManagers/{physical}"])
    elif type_ == "gcp:sql/databaseInstance:DatabaseInstance":
        ip = _ip(rid)
        state.update(
            id=physical,
            connectionName=f"{project}:{region}:{physical}",
            privateIpAddress=ip,
            publicIpAddress="",
            ipAddresses=[{"ipAddress": ip, "type": "PRIVATE"}],
            selfLink=f"https://sqladmin.googleapis.com/sql/v1beta4/projects/{project}/instances/{physical}",
            serviceAccountEmailAddress=f"p{PROJECT_NUMBER}-{rid[:6]}@gcp-sa-cloud-sql.iam.gserviceaccount.com",
            dnsName=f"{rid[:12]}.{region}.sql.goog.",
        )
    elif type_ == "gcp:redis/instance:Instance":
        state.update(
            id=f"projects/{project}/locations/{region}/instances/{physical}",
            host=_ip(rid),
            port=6378,  # the TLS port when transit encryption is on
            authString=f"mock-auth-{rid}",
            serverCaCerts=[{"cert": "-----BEGIN CERTIFICATE-----\nbW9jaw==\n-----END CERTIFICATE-----"}],
            currentLocationId=f"{region}-b",
        )
    elif type_ == "gcp:logging/projectBucketConfig:ProjectBucketConfig":
        state.update(id=f"projects/{project}/locations/{inputs.get('location')}/buckets/{inputs.get('bucketId')}",
                     name=f"projects/{project}/locations/{inputs.get('location')}/buckets/{inputs.get('bucketId')}")
    elif type_ == "gcp:logging/projectSink:ProjectSink":
        state["writerIdentity"] = f"serviceAccount:service-{PROJECT_NUMBER}@gcp-sa-logging.iam.gserviceaccount.com"
    elif type_ == "gcp:monitoring/notificationChannel:NotificationChannel":
        ident = f"projects/{project}/notificationChannels/{int(rid[:12], 16)}"
        state.update(id=ident, name=ident)
    elif type_ == "gcp:monitoring/alertPolicy:AlertPolicy":
        ident = f"projects/{project}/alertPolicies/{int(rid[:12], 16)}"
        state.update(id=ident, name=ident)
    elif type_ == "gcp:storage/bucket:Bucket":
        state.update(id=physical, url=f"gs://{physical}", selfLink=f"https://www.googleapis.com/storage/v1/b/{physical}")
    elif type_ == "gcp:monitoring/dashboard:Dashboard":
        state["id"] = f"projects/{PROJECT_NUMBER}/dashboards/{rid}"
    return state


def invoke(token: str, args: dict[str, Any]) -> dict[str, Any] | None:
    if token == "gcp:organizations/getProject:getProject":
        project = str(args.get("projectId") or "tenant-platform-placeholder")
        return {"id": f"projects/{project}", "projectId": project, "number": PROJECT_NUMBER, "name": project}
    if token == "gcp:storage/getProjectServiceAccount:getProjectServiceAccount":
        email = f"service-{PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com"
        return {"id": email, "emailAddress": email, "member": f"serviceAccount:{email}", "project": args.get("project")}
    if token == "gcp:compute/getZones:getZones":
        region = str(args.get("region") or "europe-west1")
        return {"id": f"projects/{args.get('project')}/regions/{region}",
                "names": [f"{region}-{s}" for s in ZONE_SUFFIXES]}
    return None
