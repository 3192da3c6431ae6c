"""AWS under mocks: the state each resource type reports after creation, and the invokes the builder uses.

Values are deterministic (derived from the resource id) and shaped like the real ones, so that
downstream inputs (ARNs in policies, endpoints in kubeconfigs, ASG names in scaling policies) are concrete.
"""

from __future__ import annotations

import base64
from typing import Any

ACCOUNT = "123456789012"
PARTITION = "aws"
REGION = "eu-west-1"  # resources do not carry the provider's region; ARNs use this one


def _arn(service: str, resource: str, region: str = REGION, account: str = ACCOUNT) -> str:
    return f"arn:{PARTITION}:{service}:{region}:{account}:{resource}"


def _uuid(rid: str) -> str:
    h = (rid * 2)[:32]
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _name(inputs: dict[str, Any], name: str, key: str = "name") -> str:
    return str(inputs.get(key) or name)


def _eks_cluster(name: str, inputs: dict[str, Any], rid: str) -> dict[str, Any]:
    cluster = _name(inputs, name)
    oidc_id = rid.upper().ljust(32, "0")[:32]
    vpc = dict(inputs.get("vpcConfig") or {})
    vpc.update({"clusterSecurityGroupId": f"sg-{rid}", "vpcId": f"vpc-{rid}"})
    return {
        "id": cluster,
        "name": cluster,
        "arn": _arn("eks", f"cluster/{cluster}"),
        "endpoint": f"https://{oidc_id}.gr7.{REGION}.eks.amazonaws.com",
        "certificateAuthority": {"data": base64.b64encode(f"mock CA of {cluster}".encode()).decode()},
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.{REGION}.amazonaws.com/id/{oidc_id}"}]}],
        "vpcConfig": vpc,
        "status": "ACTIVE",
        "platformVersion": "eks.1",
    }


def _by_type(type_: str, name: str, inputs: dict[str, Any], rid: str) -> dict[str, Any]:
    if type_ == "aws:kms/key:Key":
        key_id = _uuid(rid)
        return {"id": key_id, "keyId": key_id, "arn": _arn("kms", f"key/{key_id}")}
    if type_ == "aws:kms/alias:Alias":
        alias = _name(inputs, name)
        return {"id": alias, "arn": _arn("kms", alias)}
    if type_ == "aws:ec2/vpc:Vpc":
        return {"id": f"vpc-{rid}", "arn": _arn("ec2", f"vpc/vpc-{rid}"), "defaultSecurityGroupId": f"sg-d{rid}"}
    if type_ in ("aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"):
        return {"id": f"sg-{rid}", "arn": _arn("ec2", f"security-group/sg-{rid}")}
    if type_ == "aws:ec2/subnet:Subnet":
        return {"id": f"subnet-{rid}", "arn": _arn("ec2", f"subnet/subnet-{rid}")}
    if type_ == "aws:ec2/internetGateway:InternetGateway":
        return {"id": f"igw-{rid}", "arn": _arn("ec2", f"internet-gateway/igw-{rid}")}
    if type_ == "aws:ec2/routeTable:RouteTable":
        return {"id": f"rtb-{rid}", "arn": _arn("ec2", f"route-table/rtb-{rid}")}
    if type_ == "aws:ec2/eip:Eip":
        return {"id": f"eipalloc-{rid}", "allocationId": f"eipalloc-{rid}", "publicIp": "203.0.113.10"}
    if type_ == "aws:ec2/natGateway:NatGateway":
        return {"id": f"nat-{rid}"}
    if type_ == "aws:ec2/flowLog:FlowLog":
        return {"id": f"fl-{rid}", "arn": _arn("ec2", f"vpc-flow-log/fl-{rid}")}
    if type_ == "aws:ec2/launchTemplate:LaunchTemplate":
        return {"id": f"lt-{rid}", "arn": _arn("ec2", f"launch-template/lt-{rid}"), "latestVersion": 1,
                "defaultVersion": 1}
    if type_ == "aws:cloudwatch/logGroup:LogGroup":
        group = _name(inputs, name)
        return {"id": group, "name": group, "arn": _arn("logs", f"log-group:{group}")}
    if type_ == "aws:cloudwatch/metricAlarm:MetricAlarm":
        alarm = _name(inputs, name)
        return {"id": alarm, "arn": _arn("cloudwatch", f"alarm:{alarm}")}
    if type_ == "aws:cloudwatch/dashboard:Dashboard":
        board = _name(inputs, name, "dashboardName")
        return {"id": board, "dashboardArn": f"arn:{PARTITION}:cloudwatch::{ACCOUNT}:dashboard/{board}"}
    if type_ == "aws:iam/role:Role":
        role = _name(inputs, name)
        return {"id": role, "name": role, "arn": f"arn:{PARTITION}:iam::{ACCOUNT}:role/{role}",
                "uniqueId": f"AROA{rid.upper()}"}
    if type_ == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
        host = str(inputs.get("url", "")).removeprefix("https://")
        arn = f"arn:{PARTITION}:iam::{ACCOUNT}:oidc-provider/{host}"
        return {"id": arn, "arn": arn}
    if type_ == "aws:eks/cluster:Cluster":
        return _eks_cluster(name, inputs, rid)
    if type_ == "aws:eks/nodeGroup:NodeGroup":
        group = _name(inputs, name, "nodeGroupName")
        cluster = inputs.get("clusterName", "cluster")
        return {
            "id": f"{cluster}:{group}",
            "arn": _arn("eks", f"nodegroup/{cluster}/{group}/{_uuid(rid)}"),
            "status": "ACTIVE",
            "resources": [{"autoscalingGroups": [{"name": f"eks-{group}-{_uuid(rid)}"}],
                           "remoteAccessSecurityGroupId": ""}],
        }
    if type_ == "aws:eks/addon:Addon":
        addon = inputs.get("addonName", name)
        return {"id": f"{inputs.get('clusterName')}:{addon}", "arn": _arn("eks", f"addon/{addon}/{rid}"),
                "addonVersion": "v1.0.0-eksbuild.1"}
    if type_ == "aws:eks/accessEntry:AccessEntry":
        return {"id": f"{inputs.get('clusterName')}:{inputs.get('principalArn')}",
                "accessEntryArn": _arn("eks", f"access-entry/{rid}")}
    if type_ == "aws:rds/instance:Instance":
        ident = _name(inputs, name, "identifier")
        address = f"{ident}.c{rid[:11]}.{REGION}.rds.amazonaws.com"
        port = int(inputs.get("port") or 5432)
        secrets = []
        if inputs.get("manageMasterUserPassword"):
            secrets = [{"secretArn": _arn("secretsmanager", f"secret:rds!db-{_uuid(rid)}-AbCdEf"),
                        "kmsKeyId": inputs.get("masterUserSecretKmsKeyId") or "", "secretStatus": "active"}]
        return {"id": ident, "identifier": ident, "arn": _arn("rds", f"db:{ident}"), "address": address,
                "endpoint": f"{address}:{port}", "port": port, "resourceId": f"db-{rid.upper()}",
                "masterUserSecrets": secrets}
    if type_ in ("aws:rds/subnetGroup:SubnetGroup", "aws:rds/parameterGroup:ParameterGroup"):
        kind = "subgrp" if "subnet" in type_ else "pg"
        return {"id": _name(inputs, name), "name": _name(inputs, name), "arn": _arn("rds", f"{kind}:{_name(inputs, name)}")}
    if type_ == "aws:elasticache/replicationGroup:ReplicationGroup":
        group = _name(inputs, name, "replicationGroupId")
        return {"id": group, "replicationGroupId": group, "arn": _arn("elasticache", f"replicationgroup:{group}"),
                "primaryEndpointAddress": f"master.{group}.{rid[:6]}.euw1.cache.amazonaws.com",
                "readerEndpointAddress": f"replica.{group}.{rid[:6]}.euw1.cache.amazonaws.com"}
    if type_ == "aws:elasticache/subnetGroup:SubnetGroup":
        return {"id": _name(inputs, name), "name": _name(inputs, name),
                "arn": _arn("elasticache", f"subnetgroup:{_name(inputs, name)}")}
    if type_ == "aws:secretsmanager/secret:Secret":
        arn = _arn("secretsmanager", f"secret:{_name(inputs, name)}-{rid[:6]}")
        return {"id": arn, "arn": arn}
    if type_ == "aws:secretsmanager/secretVersion:SecretVersion":
        return {"id": f"{inputs.get('secretId')}|{_uuid(rid)}", "versionId": _uuid(rid)}
    if type_ == "aws:sns/topic:Topic":
        topic = _name(inputs, name)
        return {"id": _arn("sns", topic), "arn": _arn("sns", topic)}
    if type_ == "aws:sns/topicSubscription:TopicSubscription":
        arn = f"{inputs.get('topic')}:{_uuid(rid)}"
        return {"id": arn, "arn": arn}
    if type_ == "aws:lambda/function:Function":
        fn = _name(inputs, name)
        return {"id": fn, "name": fn, "arn": _arn("lambda", f"function:{fn}"),
                "invokeArn": f"arn:{PARTITION}:apigateway:{REGION}:lambda:path/functions/{_arn('lambda', fn)}"}
    if type_ == "aws:autoscaling/policy:Policy":
        policy = _name(inputs, name)
        return {"id": policy, "arn": _arn("autoscaling", f"scalingPolicy:{_uuid(rid)}:policyName/{policy}")}
    if type_ == "aws:s3/bucket:Bucket":
        # S3 ARNs carry neither region nor account; the id is the bucket's name.
        bucket = _name(inputs, name, "bucket")
        return {"id": bucket, "bucket": bucket, "arn": f"arn:{PARTITION}:s3:::{bucket}",
                "bucketRegionalDomainName": f"{bucket}.s3.{REGION}.amazonaws.com"}
    service = type_.split(":")[1].split("/")[0]
    return {"arn": _arn(service, name)}


def outputs(type_: str, name: str, inputs: dict[str, Any], rid: str) -> dict[str, Any]:
    state = _by_type(type_, name, inputs, rid)
    if "tags" in inputs and inputs["tags"] is not None:
        state.setdefault("tagsAll", inputs["tags"])
    return state


def invoke(token: str, args: dict[str, Any]) -> dict[str, Any] | None:
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {"id": ACCOUNT, "accountId": ACCOUNT, "arn": f"arn:{PARTITION}:iam::{ACCOUNT}:user/deployer",
                "userId": "AIDAMOCKDEPLOYER"}
    if token == "aws:index/getPartition:getPartition":
        return {"id": PARTITION, "partition": PARTITION, "dnsSuffix": "amazonaws.com",
                "reverseDnsPrefix": "com.amazonaws"}
    if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
        region = args.get("region") or REGION
        names = [f"{region}{suffix}" for suffix in "abc"]
        return {"id": region, "names": names, "zoneIds": [f"{region[:3]}{region[-1]}-az{i + 1}" for i in range(3)],
                "region": region, "groupNames": [region]}
    if token == "aws:index/getRegion:getRegion":
        region = args.get("region") or REGION
        return {"id": region, "region": region, "name": region, "endpoint": f"ec2.{region}.amazonaws.com"}
    return None
