"""Which accounts and regions a run reads, and the sessions that reach them."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from lambdaops.collect.context import (
    GLOBAL_REGION,
    Account,
    AwsContext,
    Timeouts,
    client_config,
    identify,
    make_session,
    validate_regions,
)
from lambdaops.collect.fanout import run_all
from lambdaops.collect.guard import error_record
from lambdaops.errors import UsageError
from lambdaops.model import ErrorRecord
from lambdaops.settings import Settings

if TYPE_CHECKING:
    import boto3

    from lambdaops.collect.quotas import Pacer

OPERATIONS = ("sts:GetCallerIdentity", "ec2:DescribeRegions")
# Needed by the caller only with --org / --accounts (lambdaops iam-policy --multi-account).
MULTI_ACCOUNT_OPERATIONS = ("organizations:ListAccounts", "sts:AssumeRole")
ENABLED_OPT_IN = ("opt-in-not-required", "opted-in")


class ScopeFlags(Protocol):
    """The multi-account flags a run was given (the CLI's options satisfy it; collect never imports cli)."""

    @property
    def accounts(self) -> str | None: ...
    @property
    def exclude_accounts(self) -> str | None: ...
    @property
    def shard(self) -> str | None: ...
    @property
    def role_name(self) -> str | None: ...
    @property
    def external_id(self) -> str | None: ...
    @property
    def org(self) -> bool: ...


def parse_accounts(text: str | None, flag: str) -> list[str]:
    if not text:
        return []
    out = []
    for part in text.replace(" ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not (part.isdigit() and len(part) == 12):
            raise UsageError(f"{flag}: {part!r} is not a 12-digit AWS account id")
        if part not in out:
            out.append(part)
    return out


def parse_shard(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        i_text, n_text = text.split("/")
        i, n = int(i_text), int(n_text)
    except ValueError:
        raise UsageError(f"--shard must look like I/N (e.g. 1/4), got {text!r}") from None
    if n < 1 or not 1 <= i <= n:
        raise UsageError(f"--shard {text}: I must be from 1 to N and N at least 1")
    return i, n


def in_shard(account_id: str, shard: tuple[int, int] | None) -> bool:
    """A stable share: an account's shard depends on its id alone, not on the other accounts."""
    if shard is None:
        return True
    i, n = shard
    digest = int(hashlib.sha256(account_id.encode()).hexdigest(), 16)
    return digest % n == i - 1


def list_org_accounts(
    session: boto3.Session,
    timeouts: Timeouts | None = None,
    pacer: Pacer | None = None,
    account_id: str = "",
) -> list[str]:
    """The organization's ACTIVE accounts (ListAccounts, 20 a page), paced to Organizations' bucket
    of the calling account when a pacer is given."""
    client = session.client("organizations", region_name=GLOBAL_REGION, config=client_config(2, timeouts))
    if pacer is not None:
        pacer.attach(client, account_id, GLOBAL_REGION)
    out: list[str] = []
    for page in client.get_paginator("list_accounts").paginate():
        out.extend(str(a["Id"]) for a in page.get("Accounts", []) if a.get("Status") == "ACTIVE")
    return sorted(out)


def role_arn(partition: str, account_id: str, role_name: str) -> str:
    """`--role-name` may carry a path (`ops/Auditor`); the ARN then has it too."""
    return f"arn:{partition}:iam::{account_id}:role/{role_name.strip('/')}"


def assume_credentials(
    sts: Any, account_id: str, role_name: str, external_id: str | None, partition: str = "aws"
) -> dict[str, str]:
    """Credentials of `role_name` in `account_id`, as boto3 client keyword arguments."""
    from lambdaops.redact import register_secret, register_secrets

    register_secret(external_id)
    kwargs: dict[str, Any] = {
        "RoleArn": role_arn(partition, account_id, role_name),
        "RoleSessionName": "lambdaops",
    }
    if external_id:
        kwargs["ExternalId"] = external_id
    creds = sts.assume_role(**kwargs)["Credentials"]
    register_secrets((creds.get("AccessKeyId"), creds.get("SecretAccessKey"), creds.get("SessionToken")))
    return {
        "aws_access_key_id": str(creds["AccessKeyId"]),
        "aws_secret_access_key": str(creds["SecretAccessKey"]),
        "aws_session_token": str(creds["SessionToken"]),
    }


def enabled_regions(ec2: Any) -> list[str]:
    resp = ec2.describe_regions(AllRegions=True)
    return sorted(
        str(r["RegionName"]) for r in resp.get("Regions", []) if r.get("OptInStatus") in ENABLED_OPT_IN
    )


def _partition(session: boto3.Session) -> str:
    from botocore.exceptions import BotoCoreError

    try:
        return str(session.get_partition_for_region(session.region_name or GLOBAL_REGION))
    except BotoCoreError:  # an unknown region is reported by validate_regions; "aws" is the likely one
        return "aws"


def region_from_environment() -> str | None:
    """AWS_REGION, as the AWS CLI v2 and the SDKs read it: it overrides AWS_DEFAULT_REGION and the
    profile's `region` (botocore itself reads only AWS_DEFAULT_REGION). Source: "AWS Region",
    AWS SDKs and Tools Reference Guide, https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html,
    and "Environment variables to configure the AWS CLI",
    https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html (read 2026-12-06)."""
    value = os.environ.get("AWS_REGION", "").strip()
    return value or None


def resolve_scope(
    common: ScopeFlags, settings: Settings, default_regions: tuple[str, ...] = ()
) -> tuple[AwsContext, dict[str, list[str]], list[ErrorRecord], list[str]]:
    from botocore.exceptions import BotoCoreError, ClientError

    errors: list[ErrorRecord] = []
    warnings: list[str] = []
    env_region = region_from_environment()
    base_region = (
        settings.regions[0] if settings.regions else (default_regions[0] if default_regions else env_region)
    )
    base = make_session(settings.profile, base_region)
    if base.region_name is None and not settings.regions and not default_regions and not settings.all_regions:
        raise UsageError(
            "no region: pass --region (repeatable, or comma-separated) or --all-regions, "
            "or set AWS_REGION (or the profile's region)"
        )
    # Region names are checked before any call, so a typo is one line and exit 2, not a DNS error.
    explicit_regions = validate_regions(base, settings.regions) if settings.regions else []
    if base.region_name is not None and not settings.regions:
        source = "AWS_REGION" if env_region and base.region_name == env_region else "the profile's region"
        validate_regions(base, [base.region_name], source=source)
    if base.region_name is None:
        base = make_session(settings.profile, GLOBAL_REGION)
    timeouts = Timeouts(connect=settings.connect_timeout, read=settings.read_timeout)
    # One pacer for the whole run (quotas.py): the identity and organization calls too.
    from lambdaops.collect.quotas import Pacer

    off = settings.max_rps is not None and settings.max_rps.off
    if off and settings.paced and not os.environ.get("AWS_ENDPOINT_URL"):  # --demo: unpaced anyway
        raise UsageError(
            "--max-rps off is for an emulator (LocalStack, moto) set with AWS_ENDPOINT_URL; against "
            "AWS, pacing keeps this run from throttling deployments: lower it with --max-rps 50% instead"
        )
    pacer = Pacer(settings.max_rps, enabled=settings.paced and not off)
    base_account = identify(base, timeouts, pacer)

    explicit = parse_accounts(common.accounts, "--accounts") or list(settings.accounts)
    excluded = set(parse_accounts(common.exclude_accounts, "--exclude-accounts")) | set(
        settings.exclude_accounts
    )
    shard = parse_shard(common.shard)
    role_name = common.role_name or settings.role_name
    external_id = common.external_id or settings.external_id
    multi = bool(explicit) or common.org
    if common.org and explicit:
        raise UsageError("use either --org or --accounts, not both")
    if multi and not role_name:
        raise UsageError("--org and --accounts need --role-name (the role to assume in each account)")

    if common.org:
        try:
            account_ids = list_org_accounts(base, timeouts, pacer, base_account)
        except (ClientError, BotoCoreError) as exc:
            rec = error_record(exc, base_account, "global", "organizations:ListAccounts")
            raise UsageError(
                f"cannot list the organization's accounts ({rec.code}); run from the management or a "
                "delegated-admin account, or pass --accounts"
            ) from None
    elif explicit:
        account_ids = explicit
    else:
        account_ids = [base_account]
    if common.org and not account_ids:
        raise UsageError(
            "--org found no ACTIVE account in the organization: nothing to scan; "
            "check the organization (or pass --accounts)"
        )
    account_ids = [a for a in account_ids if a not in excluded and in_shard(a, shard)]
    if not account_ids and shard is None:
        raise UsageError("every account in scope is excluded (--exclude-accounts): nothing to scan")

    # Clients are thread-safe (sessions are not): one STS client, then the role assumptions and the
    # region look-ups fan out through the bounded pool, so a hundred accounts take seconds, not minutes.
    from lambdaops.collect.revision_cache import RevisionCache

    ctx = AwsContext(
        accounts=[],
        workers=settings.workers,
        timeouts=timeouts,
        pacer=pacer,
        cache=RevisionCache.from_settings(settings),
    )
    others = [a for a in account_ids if a != base_account]
    assumed: dict[str, Mapping[str, str] | ErrorRecord] = {}
    if others:
        assert role_name is not None
        sts = base.client(
            "sts",
            region_name=base.region_name or GLOBAL_REGION,
            config=client_config(max(10, settings.workers * 2), timeouts),
        )
        pacer.attach(sts, base_account, base.region_name or GLOBAL_REGION)
        partition = _partition(base)

        def assume_one(account_id: str) -> Mapping[str, str] | ErrorRecord:
            try:
                return assume_credentials(sts, account_id, role_name, external_id, partition)
            except (ClientError, BotoCoreError) as exc:
                return error_record(exc, account_id, "global", "sts:AssumeRole")

        assumed = dict(zip(others, run_all(others, assume_one, settings.workers), strict=True))
    accounts: list[Account] = []
    for account_id in account_ids:
        if account_id == base_account:
            accounts.append(Account(account_id, base))
            continue
        outcome = assumed[account_id]
        if isinstance(outcome, ErrorRecord):
            errors.append(outcome)
        else:
            accounts.append(Account(account_id, base, credentials=outcome))
    ctx.accounts = accounts

    fallback = explicit_regions or ([base.region_name] if base.region_name else [])
    regions: dict[str, list[str]] = {}
    if settings.all_regions:

        def regions_of(account: Account) -> list[str] | ErrorRecord:
            ec2 = ctx.client(account, "ec2", base.region_name or GLOBAL_REGION)
            try:
                return enabled_regions(ec2)
            except (ClientError, BotoCoreError) as exc:
                return error_record(exc, account.account_id, "global", "ec2:DescribeRegions")

        for account, found in zip(accounts, run_all(accounts, regions_of, settings.workers), strict=True):
            if isinstance(found, ErrorRecord):
                errors.append(found)
                regions[account.account_id] = list(fallback)
            else:
                regions[account.account_id] = found
    else:
        for account in accounts:
            if explicit_regions:
                regions[account.account_id] = list(explicit_regions)
            elif default_regions:
                regions[account.account_id] = list(default_regions)
            else:
                regions[account.account_id] = [str(base.region_name)]
    if accounts and not errors and not any(regions.values()):
        raise UsageError("the scope holds no region: nothing to scan; pass --region or --all-regions")
    if shard is not None and not account_ids:
        warnings.append(f"--shard {shard[0]}/{shard[1]} holds none of the accounts in scope")
    ctx.scope_accounts = sorted(set(account_ids))
    return ctx, regions, errors, warnings
