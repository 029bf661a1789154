"""Sessions, credentials and clients: built once, shared by the worker threads (clients are thread-safe)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lambdaops.errors import UsageError

if TYPE_CHECKING:
    import boto3

    from lambdaops.collect.quotas import Pacer
    from lambdaops.collect.revision_cache import RevisionCache

# Retries: with 20% of requests failing independently, 10 attempts leave ~1e-7 odds of losing a
# call (0.2**10), where botocore's default 3 would lose about 1 call in 125. See docs/reliability.md.
MAX_ATTEMPTS = 10
# Defaults; `connect_timeout` / `read_timeout` in lambdaops.toml or LAMBDAOPS_CONNECT_TIMEOUT /
# LAMBDAOPS_READ_TIMEOUT override them (Settings). A timed-out attempt is retried like a 5xx.
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 30.0
GLOBAL_REGION = "us-east-1"  # IAM, Organizations, STS and the billing metric live here
# The pacer's account key for the one call made before the account id is known (identify()).
CALLER_ACCOUNT = "caller"

CREDENTIAL_ERROR_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId",
        "AuthFailure",
    }
)


@dataclass(frozen=True)
class Timeouts:
    connect: float = CONNECT_TIMEOUT_S
    read: float = READ_TIMEOUT_S


def client_config(max_pool: int, timeouts: Timeouts | None = None) -> Any:
    """Every lambdaops client's botocore Config: standard retries, bounded attempts, timeouts."""
    from botocore.config import Config

    timeouts = timeouts or Timeouts()
    return Config(
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        connect_timeout=timeouts.connect,
        read_timeout=timeouts.read,
        max_pool_connections=max_pool,
        user_agent_extra="lambdaops",
    )


@dataclass
class Account:
    """One account lambdaops reads: its id and the boto3 session that reaches it.

    An account reached through an assumed role keeps the base session and the role's `credentials`
    (boto3 client keyword arguments) rather than a session of its own: every boto3 Session loads and
    parses the service models again (about 15 MB and 150 ms per account), so one session shared by
    all accounts keeps an organization-wide run small and fast.
    """

    account_id: str
    session: boto3.Session
    label: str = ""
    credentials: Mapping[str, str] | None = field(default=None, repr=False)  # never printed: secrets

    def make_client(self, service: str, region: str, config: Any) -> Any:
        """A new client (callers cache it: see AwsContext.client). Not thread-safe: the session is not."""
        return self.session.client(
            service,  # type: ignore[call-overload]
            region_name=region,
            config=config,
            **dict(self.credentials or {}),
        )


@dataclass
class AwsContext:
    """Builds and caches clients; one per (account, region, service), shared across threads."""

    accounts: list[Account]
    workers: int = 8
    timeouts: Timeouts = field(default_factory=Timeouts)
    scope_accounts: list[str] = field(default_factory=list)  # asked for, including unreachable ones
    # Paces every call to AWS's documented rate quotas (None: no pacing, for tests that build a
    # context by hand); the cache of per-function reads keyed by RevisionId (None: no cache).
    pacer: Pacer | None = None
    cache: RevisionCache | None = None
    # Run-wide state the region jobs share (audit-code's packages, read once per CodeSha256 per run).
    shared: dict[str, Any] = field(default_factory=dict)
    _clients: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def account_ids(self) -> list[str]:
        """The accounts a report covers: every one asked for, reachable or not (gaps are in errors)."""
        return self.scope_accounts or [a.account_id for a in self.accounts]

    def client(self, account: Account, service: str, region: str) -> Any:
        key = (account.account_id, region, service)
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                # Building a client walks the (not thread-safe) session: do it under the lock.
                found = account.make_client(
                    service, region, client_config(max(10, self.workers * 2), self.timeouts)
                )
                if self.pacer is not None:
                    self.pacer.attach(found, account.account_id, region)
                self._clients[key] = found
            return found

    def release(self, account: Account, region: str) -> None:
        """Forget the clients of one (account, region) once its work is done.

        A client holds about half a megabyte (its own copy of the service's handlers, endpoint
        rules and connection pool); an organization of a hundred accounts in three regions would
        otherwise keep hundreds alive to the end. A later call builds a new one.
        """
        with self._lock:
            for key in [k for k in self._clients if k[0] == account.account_id and k[1] == region]:
                del self._clients[key]


def make_session(profile: str | None, region: str | None = None) -> boto3.Session:
    import boto3
    import botocore.session
    from botocore.exceptions import ProfileNotFound

    from lambdaops.collect.guard import install_guarded_parsers

    core = botocore.session.get_session()
    install_guarded_parsers(core)  # a malformed AWS answer is an error record, never a crash
    try:
        return boto3.Session(botocore_session=core, profile_name=profile, region_name=region)
    except ProfileNotFound:
        raise UsageError(
            f"AWS profile {profile!r} not found; check --profile or `aws configure list-profiles`"
        ) from None


def identify(session: boto3.Session, timeouts: Timeouts | None = None, pacer: Pacer | None = None) -> str:
    """The account id behind a session; turns credential problems into a usage error (exit 2).

    With a pacer, the GetCallerIdentity call draws from STS's bucket like every other call. The
    account is what the call finds out, so its bucket is keyed by CALLER_ACCOUNT: one call a run,
    it cannot crowd the account's own STS bucket (quotas.py: STS publishes no request rate)."""
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
        TokenRetrievalError,
        UnauthorizedSSOTokenError,
    )

    try:
        creds = session.get_credentials()
    except (TokenRetrievalError, UnauthorizedSSOTokenError) as exc:
        raise UsageError(f"AWS SSO session expired or missing ({exc}); run `aws sso login`") from None
    if creds is None:
        raise UsageError(
            "no AWS credentials found; set AWS_PROFILE or --profile, run `aws sso login`, or try `--demo`"
        )
    from lambdaops.redact import register_secrets

    try:
        frozen = creds.get_frozen_credentials()
    except (TokenRetrievalError, UnauthorizedSSOTokenError) as exc:
        raise UsageError(f"AWS SSO session expired or missing ({exc}); run `aws sso login`") from None
    register_secrets((frozen.access_key, frozen.secret_key, frozen.token))  # never printed
    try:
        region = session.region_name or GLOBAL_REGION
        sts = session.client("sts", region_name=region, config=client_config(2, timeouts))
        if pacer is not None:
            pacer.attach(sts, CALLER_ACCOUNT, region)
        return str(sts.get_caller_identity()["Account"])
    except (NoCredentialsError, PartialCredentialsError):
        raise UsageError(
            "no usable AWS credentials found; set AWS_PROFILE or --profile, or try `--demo`"
        ) from None
    except (TokenRetrievalError, UnauthorizedSSOTokenError) as exc:
        raise UsageError(f"AWS SSO session expired or missing ({exc}); run `aws sso login`") from None
    except NoRegionError:
        raise UsageError("no AWS region; pass --region or set AWS_REGION") from None
    except (EndpointConnectionError, ConnectTimeoutError) as exc:
        raise UsageError(unreachable_message(exc)) from None
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in CREDENTIAL_ERROR_CODES:
            hint = "refresh them (aws sso login, or new session credentials)"
            raise UsageError(f"AWS credentials rejected ({code}); {hint}") from None
        raise


def unreachable_message(exc: Exception) -> str:
    """One line for an endpoint that does not answer: which one, and what to check."""
    endpoint = str(getattr(exc, "kwargs", {}).get("endpoint_url") or "the AWS endpoint")
    hint = (
        "check AWS_ENDPOINT_URL (is the emulator running?)"
        if os.environ.get("AWS_ENDPOINT_URL")
        else "check the region (--region, AWS_REGION), the network, DNS and any proxy (HTTPS_PROXY)"
    )
    return f"cannot reach {endpoint}: {hint}"


def known_regions(session: boto3.Session) -> set[str]:
    regions: set[str] = set()
    for partition in ("aws", "aws-cn", "aws-us-gov"):
        regions.update(session.get_available_regions("lambda", partition_name=partition))
    return regions


def validate_regions(session: boto3.Session, regions: Iterable[str], source: str = "") -> list[str]:
    """The regions, deduplicated, each checked against botocore's endpoint data (no AWS call)."""
    known = known_regions(session)
    out: list[str] = []
    for region in regions:
        if region not in known:
            where = f" (from {source})" if source else ""
            raise UsageError(
                f"unknown region {region!r}{where}; use a region code such as eu-west-1 "
                "(`aws account list-regions` lists yours)"
            )
        if region not in out:
            out.append(region)
    return out
