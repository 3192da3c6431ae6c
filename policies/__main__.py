"""Builds the policy pack: the Pulumi CLI (and ``tenantctl plan --pack-transport grpc``) run this as the pack's program.

Started as ``python -m pulumi.policy <engine> <this folder>``, so this folder is on ``sys.path``
and the policies import as ``tenant_policies``. Constructing ``PolicyPack`` starts the analyzer server and
blocks; nothing else belongs here. Its settings live in ``tenant_policies/pack.py`` (the in-process
evaluator reads the same ones).
"""

from pulumi_policy import PolicyPack
from tenant_policies.catalog import POLICIES
from tenant_policies.pack import PACK_OPTIONS

PolicyPack(policies=POLICIES, **PACK_OPTIONS)
