"""The `subnets` and `invoke_configs` parts (issue 17, the security watchdog checks)."""

from __future__ import annotations

from functools import partial
from typing import Any

from lambdaops.collect.fanout import run_all
from lambdaops.collect.gather import RegionJob, policy_followup, region_collector
from lambdaops.collect.guard import guarded
from lambdaops.collect.invoke_configs import list_invoke_configs
from lambdaops.collect.parts.access import own_policies
from lambdaops.collect.subnets import subnet_zones
from lambdaops.parts import Part
from lambdaops.policy.async_triggers import async_grants

PER_FUNCTION_WORKERS = 8


@region_collector(Part.SUBNETS, needs={Part.FUNCTIONS}, concurrent=True)
def _subnets(job: RegionJob) -> None:
    """One DescribeSubnets pass per region (200 subnets a call) for the subnets functions name; no
    call at all in a region where no function is in a VPC."""
    account_id = job.account.account_id
    wanted = {s for fn in job.inv.functions.get((account_id, job.region), []) for s in fn.subnet_ids or ()}
    if not wanted:
        job.inv.subnets[(account_id, job.region)] = {}
        return
    zones = guarded(
        job.inv.errors,
        account_id,
        job.region,
        "ec2:DescribeSubnets",
        partial(subnet_zones, job.client("ec2"), wanted),
    )
    if zones is not None:
        job.inv.subnets[(account_id, job.region)] = zones


def _read_invoke_configs(job: RegionJob, functions: list[Any]) -> None:
    """ListFunctionEventInvokeConfigs only for functions an asynchronous service may trigger (S3, SNS,
    EventBridge, ... in the resource policy already read) and that have no dead-letter queue: the
    others need no call (no trigger: nothing to lose; a DLQ: failures are kept). Each function once
    per job (the follow-up below and the collector both come here)."""
    account_id = job.account.account_id
    client = job.client("lambda")
    with job.lock:
        done: set[str] = job.state.setdefault("invoke_configs_read", set())
        todo = [fn for fn in functions if fn.arn not in done]
        done.update(fn.arn for fn in todo)
    needed = [
        fn
        for fn in todo
        if fn.dead_letter_arn == ""
        and async_grants(own_policies(job, fn), fn.arn)  # None (unknown) and {} skip
    ]

    def one(fn: Any) -> tuple[str, Any]:
        read = partial(list_invoke_configs, client, fn.name)
        return fn.arn, guarded(
            job.inv.errors, account_id, job.region, "lambda:ListFunctionEventInvokeConfigs", read
        )

    for arn, configs in run_all(needed, one, min(job.ctx.workers, PER_FUNCTION_WORKERS)):
        if configs is not None:
            job.inv.invoke_configs[arn] = configs


@policy_followup(Part.INVOKE_CONFIGS)
def _invoke_configs_of_one(job: RegionJob, fn: Any) -> None:
    """Right after the function's policies are read (gather.policy_followup)."""
    _read_invoke_configs(job, [fn])


@region_collector(Part.INVOKE_CONFIGS, needs={Part.FUNCTIONS, Part.RESOURCE_POLICIES})
def _invoke_configs(job: RegionJob) -> None:
    _read_invoke_configs(job, job.inv.functions.get((job.account.account_id, job.region), []))
