"""The AWS estate through the renderer: per tier, the security-relevant inputs the engine would receive.

Expectations come from the tier table (``spec.tiers``), the tenant spec and AWS's own rules, never from
the components under test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime import rpc
from test_aws_helpers import ROOT, aws_resources, is_taggable, render, unwrap, write_tenant

from spec.loader import load_tenant
from spec.tiers import tier_defaults
from tenantctl.render import RenderedTenant

# CloudWatch Logs' accepted retention values (AWS API reference, PutRetentionPolicy).
AWS_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                      3288, 3653]
ALL_CONTROL_PLANE_LOGS = {"api", "audit", "authenticator", "controllerManager", "scheduler"}

CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
DB = "aws:rds/instance:Instance"
DB_PARAMS = "aws:rds/parameterGroup:ParameterGroup"
CACHE = "aws:elasticache/replicationGroup:ReplicationGroup"
KEY = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
POLICY = "aws:autoscaling/policy:Policy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SG = "aws:ec2/securityGroup:SecurityGroup"

# Generated tenants: every tier with its defaults, plus variations that flip what the tier decides.
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "gen-free": ("free", {}),
    "gen-standard": ("standard", {}),
    # A standard-tier tenant that asks for a silo: no HA, so one NAT; 2 zones; reactive.
    "gen-standard-silo": ("standard", {"security": {"isolation_level": "strict"}}),
    # Premium with an arm instance type, no Multi-AZ database and a retention that rounds up.
    "gen-premium": (
        "premium",
        {"database": {"high_availability": False}, "cluster": {"instance_type": "m7g.large"},
         "monitoring": {"metrics_retention": "8d"}},
    ),
    # Enterprise, predictive, odd retention (rounded up), real-time, a latency alarm, custom bounds.
    "gen-enterprise": (
        "enterprise",
        {
            "autoscaling": {"strategy": "predictive", "metrics": {"cpu_threshold": 55, "latency_threshold": "250ms"}},
            "monitoring": {"real_time": True, "metrics_retention": "45d"},
            "cluster": {"min_nodes": 4, "max_nodes": 12},
            "cache": {"replicas": 0},
            "performance": {"connection_pool": 300},
        },
    ),
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RenderedTenant]:
    folder: Path = tmp_path_factory.mktemp("tenants")
    return {tid: render(write_tenant(folder, tid, tier, config)) for tid, (tier, config) in VARIANTS.items()}


@pytest.fixture(scope="module")
def seed() -> RenderedTenant:
    return render(ROOT / "tenants" / "spotify-premium.yaml")


def _cfg(r: RenderedTenant) -> Any:
    return r.tenant.spec.config


def _key_arn(r: RenderedTenant) -> str:
    """The ARN every encrypted resource must name: the one key of the tenant (from the KMS key's alias target)."""
    keys = r.of_type(KEY)
    assert len(keys) == 1
    arns = {res.inputs["kmsKeyId"] for res in r.of_type(DB)}
    assert len(arns) == 1
    (arn,) = arns
    assert arn.startswith("arn:aws:kms:") and ":key/" in arn
    return str(arn)


def _expected_retention(days: int) -> int:
    return min(d for d in AWS_RETENTION_DAYS if d >= days)


TENANTS = list(VARIANTS)


@pytest.mark.parametrize("tid", TENANTS)
def test_key_rotates_and_everything_uses_it(rendered: dict[str, RenderedTenant], tid: str) -> None:
    r = rendered[tid]
    (key,) = r.of_type(KEY)
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] >= 7
    arn = _key_arn(r)
    aliases = r.of_type("aws:kms/alias:Alias")
    assert len(aliases) == 1 and r.tenant_id in aliases[0].inputs["name"]
    # Every resource input naming a KMS key names the tenant's key.
    for res in aws_resources(r):
        for field in ("kmsKeyId", "masterUserSecretKmsKeyId", "kmsMasterKeyId", "kmsKeyArn"):
            if field in res.inputs and res.inputs[field] is not None:
                assert res.inputs[field] == arn, (res.name, field)
    # Every log group is encrypted with it.
    for group in r.of_type(LOG_GROUP):
        assert group.inputs.get("kmsKeyId") == arn, group.name


@pytest.mark.parametrize("tid", TENANTS)
def test_database_private_encrypted_and_tier_ha(rendered: dict[str, RenderedTenant], tid: str) -> None:
    r, cfg = rendered[tid], _cfg(rendered[tid])
    tier = tier_defaults(r.tenant.spec.tier, "aws")["database"]
    (db,) = r.of_type(DB)
    i = db.inputs
    assert i["engine"] == "postgres"
    assert i["storageEncrypted"] is True and i["kmsKeyId"] == _key_arn(r)
    assert i["publiclyAccessible"] is False
    assert i["manageMasterUserPassword"] is True and i["masterUserSecretKmsKeyId"] == _key_arn(r)
    assert "password" not in i
    assert i["multiAz"] is cfg.database.high_availability
    assert i["backupRetentionPeriod"] == tier["backup_retention_days"]
    assert i["deletionProtection"] is tier["deletion_protection"]
    assert i["performanceInsightsEnabled"] is tier["performance_insights"]
    if tier["performance_insights"]:
        assert i["performanceInsightsKmsKeyId"] == _key_arn(r)
    assert i["skipFinalSnapshot"] is False and i["finalSnapshotIdentifier"]
    assert {"postgresql", "upgrade"} <= set(i["enabledCloudwatchLogsExports"])
    assert i["allocatedStorage"] == cfg.database.storage_gb
    assert i["maxAllocatedStorage"] == cfg.database.max_storage_gb


@pytest.mark.parametrize("tid", TENANTS)
def test_database_forces_tls_and_sizes_connections(rendered: dict[str, RenderedTenant], tid: str) -> None:
    r = rendered[tid]
    (params,) = r.of_type(DB_PARAMS)
    values = {p["name"]: p["value"] for p in params.inputs["parameters"]}
    assert values["rds.force_ssl"] == "1"
    assert values["ssl_min_protocol_version"] in ("TLSv1.2", "TLSv1.3")
    assert int(values["max_connections"]) >= _cfg(r).performance.connection_pool
    assert params.inputs["family"] == f"postgres{_cfg(r).database.engine_version}"
    (db,) = r.of_type(DB)
    assert db.inputs["parameterGroupName"] == params.inputs["name"]


@pytest.mark.parametrize("tid", TENANTS)
def test_data_stores_reachable_only_from_nodes(rendered: dict[str, RenderedTenant], tid: str) -> None:
    r = rendered[tid]
    (db,) = r.of_type(DB)
    (cache,) = r.of_type(CACHE)
    groups = {sg.name: sg for sg in r.of_type(SG)}
    for store, port, sg_ids in ((db, 5432, db.inputs["vpcSecurityGroupIds"]), (cache, 6379,
                                                                               cache.inputs["securityGroupIds"])):
        assert len(sg_ids) == 1
        (sg,) = [g for g in groups.values() if g.name.endswith("-sg") and port == _only_port(g)]
        rules = sg.inputs["ingress"]
        assert rules, store.name
        for rule in rules:
            assert rule["fromPort"] == rule["toPort"] == port
            assert not rule.get("cidrBlocks") and not rule.get("ipv6CidrBlocks")
            assert rule["securityGroups"], "ingress must name the nodes' security group"
        assert sg.inputs.get("egress") == []


def _only_port(sg: Any) -> int | None:
    ports = {rule["fromPort"] for rule in sg.inputs.get("ingress") or []}
    return ports.pop() if len(ports) == 1 else None


@pytest.mark.parametrize("tid", TENANTS)
def test_cache_encrypted_with_auth_and_tier_failover(rendered: dict[str, RenderedTenant], tid: str) -> None:
    r, cfg = rendered[tid], _cfg(rendered[tid])
    (c,) = r.of_type(CACHE)
    i = c.inputs
    assert i["atRestEncryptionEnabled"] is True and i["kmsKeyId"] == _key_arn(r)
    assert i["transitEncryptionEnabled"] is True and i["transitEncryptionMode"] == "required"
    assert rpc.is_rpc_secret(i["authToken"]), "the AUTH token must travel as a secret"
    assert 16 <= len(unwrap(i["authToken"])) <= 128
    replicas = cfg.cache.replicas
    assert i["numCacheClusters"] == 1 + replicas
    assert i["automaticFailoverEnabled"] is (replicas >= 1)
    assert i["multiAzEnabled"] is (replicas >= 1)
    assert i["snapshotRetentionLimit"] == cfg.cache.snapshot_retention_days
    assert len(i["replicationGroupId"]) <= 40
    secret = r.one("aws:secretsmanager/secret:Secret")
    assert secret.inputs["kmsKeyId"] == _key_arn(r)
    version = r.one("aws:secretsmanager/secretVersion:SecretVersion")
    assert rpc.is_rpc_secret(version.inputs["secretString"])


@pytest.mark.parametrize("tid", TENANTS)
def test_silo_or_pool_shape(rendered: dict[str, RenderedTenant], tid: str) -> None:
    r = rendered[tid]
    silo = r.tenant.spec.config.security.isolation_level == "strict"
    for type_ in (CLUSTER, NODE_GROUP, "aws:ec2/vpc:Vpc", LAUNCH_TEMPLATE, "aws:ec2/flowLog:FlowLog"):
        assert len(r.of_type(type_)) == (1 if silo else 0), type_
    # Pooled or not, the tenant's developers reach the cluster through their group only.
    (entry,) = r.of_type("aws:eks/accessEntry:AccessEntry")
    assert entry.inputs["kubernetesGroups"] == [f"tenant:{r.tenant_id}:developers"]
    assert entry.inputs["type"] == "STANDARD"


SILO = [t for t, (tier, cfg) in VARIANTS.items()
        if cfg.get("security", {}).get("isolation_level", "strict" if tier in ("premium", "enterprise") else "") ==
        "strict"]


def test_silo_list_is_not_empty() -> None:
    assert {"gen-premium", "gen-enterprise", "gen-standard-silo"} <= set(SILO)


@pytest.mark.parametrize("tid", SILO)
def test_cluster_private_encrypted_audited(rendered: dict[str, RenderedTenant], tid: str) -> None:
    r, cfg = rendered[tid], _cfg(rendered[tid])
    (cluster,) = r.of_type(CLUSTER)
    i = cluster.inputs
    assert i["vpcConfig"]["endpointPrivateAccess"] is True
    assert i["vpcConfig"]["endpointPublicAccess"] is False
    assert i["encryptionConfig"]["resources"] == ["secrets"]
    assert i["encryptionConfig"]["provider"]["keyArn"] == _key_arn(r)
    assert set(i["enabledClusterLogTypes"]) == ALL_CONTROL_PLANE_LOGS
    assert i["accessConfig"]["authenticationMode"] == "API"
    assert i["version"] == cfg.cluster.kubernetes_version
    # The control-plane log group exists under EKS's name, encrypted, with the rounded-up retention.
    logs = [g for g in r.of_type(LOG_GROUP) if g.inputs["name"] == f"/aws/eks/{i['name']}/cluster"]
    assert len(logs) == 1
    assert logs[0].inputs["retentionInDays"] == _expected_retention(cfg.monitoring.metrics_retention.days)
    assert len(r.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")) == 1
    (cni,) = [a for a in r.of_type("aws:eks/addon:Addon") if a.inputs["addonName"] == "vpc-cni"]
    assert json.loads(cni.inputs["configurationValues"])["enableNetworkPolicy"] == "true"


@pytest.mark.parametrize("tid", SILO)
def test_network_zones_nat_flow_logs(rendered: dict[str, RenderedTenant], tid: str) -> None:
    r, cfg = rendered[tid], _cfg(rendered[tid])
    zones = cfg.cluster.availability_zones
    subnets = r.of_type("aws:ec2/subnet:Subnet")
    private = [s for s in subnets if "-private-" in s.name]
    public = [s for s in subnets if "-public-" in s.name]
    assert len(private) == zones
    assert len(public) <= zones
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets)
    nats = r.of_type("aws:ec2/natGateway:NatGateway")
    assert len(nats) == (zones if cfg.database.high_availability else 1)
    (flow,) = r.of_type("aws:ec2/flowLog:FlowLog")
    assert flow.inputs["trafficType"] == "ALL"
    flow_group = [g for g in r.of_type(LOG_GROUP) if g.inputs["name"].endswith("vpc-flow-logs")]
    assert len(flow_group) == 1 and flow_group[0].inputs["kmsKeyId"] == _key_arn(r)
    default_sg = r.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert not default_sg.inputs.get("ingress") and not default_sg.inputs.get("egress")
    # The cluster runs in exactly the private subnets.
    (cluster,) = r.of_type(CLUSTER)
    assert len(cluster.inputs["vpcConfig"]["subnetIds"]) == zones


@pytest.mark.parametrize("tid", SILO)
def test_nodes_imdsv2_encrypted_and_bounded(rendered: dict[str, RenderedTenant], tid: str) -> None:
    r, cfg = rendered[tid], _cfg(rendered[tid])
    (lt,) = r.of_type(LAUNCH_TEMPLATE)
    meta = lt.inputs["metadataOptions"]
    assert meta["httpTokens"] == "required"
    assert meta["httpPutResponseHopLimit"] == 1
    (root,) = lt.inputs["blockDeviceMappings"]
    assert root["ebs"]["encrypted"] == "true"
    assert root["ebs"]["kmsKeyId"] == _key_arn(r)
    assert root["ebs"]["volumeType"] == "gp3"
    assert root["ebs"]["volumeSize"] == cfg.cluster.disk_size_gb
    (ng,) = r.of_type(NODE_GROUP)
    scaling = ng.inputs["scalingConfig"]
    assert scaling["minSize"] == cfg.cluster.min_nodes
    assert scaling["maxSize"] == cfg.cluster.max_nodes
    assert cfg.cluster.min_nodes <= scaling["desiredSize"] <= cfg.cluster.max_nodes
    assert ng.inputs["instanceTypes"] == [cfg.cluster.instance_type]
    assert ng.inputs["launchTemplate"]["id"]
    arm = cfg.cluster.instance_type.split(".")[0].endswith("g")
    assert ("ARM" in ng.inputs["amiType"]) is arm


@pytest.mark.parametrize("tid", SILO)
def test_node_scaling_policy_follows_strategy(rendered: dict[str, RenderedTenant], tid: str) -> None:
    r, cfg = rendered[tid], _cfg(rendered[tid])
    cpu = cfg.autoscaling.metrics.cpu_threshold
    policies = r.of_type(POLICY)
    predictive = [p for p in policies if p.inputs["policyType"] == "PredictiveScaling"]
    tracking = [p for p in policies if p.inputs["policyType"] == "TargetTrackingScaling"]
    asg = {p.inputs["autoscalingGroupName"] for p in policies}
    assert len(asg) == 1 and asg.pop().startswith("eks-"), "policies attach to the node group's ASG"
    if cfg.autoscaling.strategy == "predictive":
        (p,) = predictive
        conf = p.inputs["predictiveScalingConfiguration"]
        assert conf["mode"] == "ForecastAndScale"
        assert conf["metricSpecification"]["targetValue"] == cpu
        assert conf["metricSpecification"]["predefinedMetricPairSpecification"]["predefinedMetricType"] == (
            "ASGCPUUtilization"
        )
    else:
        assert predictive == []
        (t,) = tracking
        conf = t.inputs["targetTrackingConfiguration"]
        assert conf["predefinedMetricSpecification"]["predefinedMetricType"] == "ASGAverageCPUUtilization"
        assert conf["targetValue"] == cpu


def test_variants_cover_both_strategies(rendered: dict[str, RenderedTenant]) -> None:
    strategies = {_cfg(rendered[t]).autoscaling.strategy for t in SILO}
    assert strategies == {"reactive", "predictive"}


@pytest.mark.parametrize("tid", TENANTS)
def test_every_taggable_resource_is_tagged(rendered: dict[str, RenderedTenant], tid: str) -> None:
    r = rendered[tid]
    spec = r.tenant.spec
    wanted = {"tenant": spec.tenant_id, "tier": spec.tier, "isolation": spec.config.security.isolation_level,
              "managed-by": "tenant-platform"}
    checked = 0
    for res in aws_resources(r):
        if not is_taggable(res.type):
            continue
        tags = res.inputs.get("tags") or {}
        assert wanted.items() <= tags.items(), f"{res.type} {res.name}: {tags}"
        assert "compliance" in tags, res.name
        for framework in spec.config.compliance.frameworks:
            assert framework in tags["compliance"]
        checked += 1
    assert checked >= 15


@pytest.mark.parametrize(("retention", "expected"), [("45d", 60), ("8d", 14)])
def test_log_retention_rounds_up(rendered: dict[str, RenderedTenant], retention: str, expected: int) -> None:
    (tid,) = [t for t, (_, c) in VARIANTS.items() if c.get("monitoring", {}).get("metrics_retention") == retention]
    groups = rendered[tid].of_type(LOG_GROUP)
    assert groups and {g.inputs["retentionInDays"] for g in groups} == {expected}


@pytest.mark.parametrize("tid", TENANTS)
def test_alarms_period_thresholds_and_topic(rendered: dict[str, RenderedTenant], tid: str) -> None:
    r, cfg = rendered[tid], _cfg(rendered[tid])
    period = 60 if cfg.monitoring.real_time else 300
    # Single-metric alarms; metric-math ones (SLO burn rates, throughput bands) are tests/test_cloud_slo.py's.
    alarms = [a for a in r.of_type(ALARM) if "metricName" in a.inputs]
    assert alarms and {a.inputs["period"] for a in alarms} == {period}
    thresholds = {a.inputs["metricName"]: a.inputs["threshold"] for a in alarms}
    assert cpu_alarm(thresholds) == cfg.autoscaling.metrics.cpu_threshold
    assert memory_alarm(thresholds) == cfg.autoscaling.metrics.memory_threshold
    latency = cfg.autoscaling.metrics.latency_threshold
    latency_alarms = [a for a in alarms if a.inputs.get("extendedStatistic")]
    if latency is None:
        assert latency_alarms == []
    else:
        (a,) = latency_alarms
        assert a.inputs["threshold"] == latency.total_seconds() * 1000
    namespaces = {a.inputs["namespace"] for a in alarms}
    assert {"AWS/RDS", "AWS/ElastiCache"} <= namespaces, "database and cache health are watched"
    topic = r.one("aws:sns/topic:Topic")
    assert topic.inputs["kmsMasterKeyId"] == _key_arn(r)
    for a in alarms:
        assert a.inputs["alarmActions"], a.name
    assert len(r.of_type("aws:cloudwatch/dashboard:Dashboard")) == 1


def cpu_alarm(thresholds: dict[str, float]) -> float:
    return next(v for k, v in thresholds.items() if "cpu" in k and k.startswith("pod_"))


def memory_alarm(thresholds: dict[str, float]) -> float:
    return next(v for k, v in thresholds.items() if "memory" in k and k.startswith("pod_"))


def test_seed_tenant_renders_full_silo(seed: RenderedTenant) -> None:
    spec = seed.tenant.spec
    assert spec.config.security.isolation_level == "strict" and spec.tier == "enterprise"
    for type_ in (CLUSTER, NODE_GROUP, DB, CACHE, KEY, "aws:sns/topic:Topic", "aws:cloudwatch/dashboard:Dashboard"):
        assert len(seed.of_type(type_)) == 1, type_
    # Enterprise: 3 zones.
    assert len([s for s in seed.of_type("aws:ec2/subnet:Subnet") if "-private-" in s.name]) == 3
    # Predictive strategy → predictive scaling on the node group.
    assert any(p.inputs["policyType"] == "PredictiveScaling" for p in seed.of_type(POLICY))
    # All three channels: email, https webhook, Slack through a Lambda whose URL is a secret.
    protocols = sorted(s.inputs["protocol"] for s in seed.of_type("aws:sns/topicSubscription:TopicSubscription"))
    assert protocols == ["email", "https", "lambda"]
    fn = seed.one("aws:lambda/function:Function")
    env = fn.inputs["environment"]
    assert rpc.is_rpc_secret(env) or rpc.is_rpc_secret(env["variables"]["SLACK_WEBHOOK_URL"])
    assert unwrap(env)["variables"]["SLACK_WEBHOOK_URL"].startswith("https://")
    assert fn.inputs["kmsKeyArn"] == _key_arn(seed)
    # Retention 30d from the file, not the enterprise default.
    groups = seed.of_type(LOG_GROUP)
    assert {g.inputs["retentionInDays"] for g in groups} == {30}
    # Connection pool of 100 reaches max_connections.
    (params,) = seed.of_type(DB_PARAMS)
    values = {p["name"]: int(p["value"]) for p in params.inputs["parameters"] if p["name"] == "max_connections"}
    assert values["max_connections"] >= 100


def test_pooled_example_lives_on_the_shared_cluster() -> None:
    r = render(ROOT / "tenants" / "acme-standard.yaml")
    assert r.of_type(CLUSTER) == [] and r.of_type("aws:ec2/vpc:Vpc") == []
    (db,) = r.of_type(DB)
    subnets = r.one("aws:rds/subnetGroup:SubnetGroup").inputs["subnetIds"]
    assert subnets and all("shared-aws-eu-west-1" in s for s in subnets)
    (entry,) = r.of_type("aws:eks/accessEntry:AccessEntry")
    assert "shared-aws-eu-west-1" in entry.inputs["clusterName"]
    # The kubeconfig of the shared cluster stays a secret in the provider's inputs.
    (provider,) = r.of_type("pulumi:providers:kubernetes")
    assert rpc.is_rpc_secret(provider.inputs["kubeconfig"])
    assert load_tenant(ROOT / "tenants" / "acme-standard.yaml").spec.config.security.isolation_level == "standard"
    assert db.inputs["publiclyAccessible"] is False
