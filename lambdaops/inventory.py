"""The inventory: plain dataclasses the collect layer fills and the checks read.

A part that could not be read for an (account, region) is absent from its dict and has an
ErrorRecord in `errors`; checks treat absence as "unknown", never as zero or "none".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lambdaops.model import ErrorRecord

Scope = tuple[str, str]  # (account_id, region)


@dataclass(frozen=True)
class FunctionInfo:
    account_id: str
    region: str
    name: str
    arn: str
    runtime: str | None  # None for container-image functions
    memory_mb: int
    code_size_bytes: int
    last_modified: datetime
    role_arn: str
    package_type: str = "Zip"
    env_var_names: tuple[str, ...] = ()  # names only: values can be secrets and are never kept
    log_group: str | None = None
    description: str = ""
    # ListFunctions' RevisionId: keys the cache of per-function reads (collect/revision_cache.py).
    revision_id: str | None = None

    @property
    def scope(self) -> Scope:
        return (self.account_id, self.region)


class ActivityStatus(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    NEW = "new"
    UNKNOWN = "unknown"
    # No Invocations in the window, but Throttles (or a reservation of 0): being called and refused.
    THROTTLED = "throttled"


@dataclass(frozen=True)
class Activity:
    """What the Invocations metric says of one function."""

    status: ActivityStatus
    window_invocations: float | None  # sum over the --days window; None when unreadable
    last_invocation: datetime | None  # start of the latest bucket with invocations, None if none seen
    days_since_invocation: int | None
    window_throttles: float | None = 0.0  # Throttles over the window; None when unreadable


@dataclass(frozen=True)
class InvocationMetrics:
    """What CloudWatch says of one function over the --days window (collected; judged in analysis)."""

    window_sum: float | None  # Invocations over the window; None when unreadable
    last_invocation: datetime | None  # start of the latest bucket with invocations, None if none seen
    throttles: float | None = 0.0  # Throttles over the window; None when unreadable


@dataclass(frozen=True)
class AccountSettings:
    concurrency_limit: int
    unreserved: int
    code_size_limit: int  # bytes (TotalCodeSize quota)
    code_size_used: int  # bytes
    function_count: int

    @property
    def total_reserved(self) -> int:
        return self.concurrency_limit - self.unreserved


@dataclass(frozen=True)
class ProvisionedConfig:
    qualifier: str
    requested: int
    allocated: int
    available: int
    status: str


@dataclass(frozen=True)
class RegionMetrics:
    """Region-wide concurrency use over the audit window."""

    peak_concurrency: float | None  # None: no datapoints (idle) -> treated as 0 only if metric_read
    metric_name: str
    metric_read: bool
    peak_at: datetime | None = None  # start of the bucket holding the peak


@dataclass(frozen=True)
class FunctionMetrics:
    throttles: float
    peak_concurrency: float | None


@dataclass(frozen=True)
class UrlConfig:
    url: str
    auth_type: str
    qualifier: str | None = None


@dataclass(frozen=True)
class VersionInfo:
    version: str
    code_size_bytes: int
    last_modified: datetime
    runtime: str | None = None  # the version's own runtime (it keeps the one it was published with)


@dataclass(frozen=True)
class AliasInfo:
    name: str
    function_version: str
    additional_versions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ManagedPolicy:
    arn: str
    name: str
    kind: str  # customer-managed | aws-managed
    document: Any  # parsed JSON, or a raw string when it could not be parsed
    attachment_count: int


@dataclass(frozen=True)
class InlinePolicy:
    name: str
    document: Any


@dataclass(frozen=True)
class RoleInfo:
    arn: str
    name: str
    inline_policies: tuple[InlinePolicy, ...]
    attached_policy_arns: tuple[str, ...]


@dataclass(frozen=True)
class IamDetails:
    roles: dict[str, RoleInfo]  # by role ARN
    policies: dict[str, ManagedPolicy]  # by policy ARN


@dataclass(frozen=True)
class BillingAlarm:
    name: str
    arn: str
    threshold: float
    currency: str | None
    service: str | None
    linked_account: str | None
    actions_enabled: bool
    alarm_actions: tuple[str, ...]
    state: str
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Subscription:
    topic_arn: str
    protocol: str
    endpoint: str  # for email: the address (not a secret; it is what the user passed)
    confirmed: bool
    subscription_arn: str


@dataclass(frozen=True)
class Budget:
    name: str
    limit: float
    unit: str
    time_unit: str
    notifications: tuple[dict[str, Any], ...] = ()
    budget_type: str = "COST"  # COST | USAGE | RI_* | SAVINGS_PLANS_*: only COST guards spend


@dataclass(frozen=True)
class BillingState:
    alarms: tuple[BillingAlarm, ...]
    subscriptions: dict[str, tuple[Subscription, ...]]  # by topic ARN
    budgets: tuple[Budget, ...] | None  # None: budgets could not be read
    metrics_flowing: bool | None
    current_charges: float | None
    currency: str | None = None  # of current_charges (the month-to-date total)
    missing_topics: tuple[str, ...] = ()  # topics alarms notify that do not exist (NotFound)
    topic_kms_keys: dict[str, str] = field(default_factory=dict)  # topic ARN -> KmsMasterKeyId, if any


@dataclass(frozen=True)
class Dependency:
    """One third-party package found inside a code package (collect/code/readers)."""

    ecosystem: str  # OSV's ecosystem name: PyPI, npm, Maven, Go, NuGet
    name: str
    version: str
    purl: str
    source: str  # the file inside the package it was read from


@dataclass(frozen=True)
class SecretHit:
    """A secret a detector found in a package's file: where and what kind, never the value."""

    path: str
    line: int
    kind: str


@dataclass(frozen=True)
class PackageContents:
    """What one code package (function code or layer version) carries, read once per CodeSha256."""

    code_sha256: str
    size_bytes: int  # zipped (CodeSize)
    unzipped_bytes: int = 0
    entries: int = 0
    dependencies: tuple[Dependency, ...] = ()
    top_dirs: tuple[tuple[str, int], ...] = ()  # the largest top-level directories, bytes unzipped
    runtime_sdks: tuple[tuple[str, int], ...] = ()  # (SDK a runtime may provide, bytes) shipped
    dead_weight: tuple[tuple[str, int, int], ...] = ()  # (kind: tests|docs|source maps, files, bytes)
    secrets: tuple[SecretHit, ...] = ()
    refused: str | None = None  # why the package was not read (unsafe, unreadable): nothing above
    notes: tuple[str, ...] = ()  # limits met while reading (e.g. a Go binary without build info)


@dataclass(frozen=True)
class DeployedCode:
    """One function version's deployed code: what audit-code reads (collect/parts/code.py)."""

    function_arn: str  # unqualified
    qualifier: str  # $LATEST or a version number
    package_type: str  # Zip | Image
    code_sha256: str | None
    code_size: int
    runtime: str | None
    layers: tuple[str, ...] = ()  # layer version ARNs
    aliases: tuple[str, ...] = ()  # aliases pointing at this version


@dataclass(frozen=True)
class Advisory:
    """One OSV advisory affecting one (ecosystem, package, version)."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    severity: str  # critical|high|medium|low|unknown
    cvss: str | None  # the CVSS vector the severity was computed from, if any
    fixed: tuple[str, ...]  # versions that fix it for this package (empty: no fix published)
    url: str


@dataclass
class Inventory:
    """Everything collected for one run; dict keys say which scope each part covers."""

    accounts: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    scopes: list[Scope] = field(default_factory=list)  # (account, region) pairs actually read
    functions: dict[Scope, list[FunctionInfo]] = field(default_factory=dict)
    invocations: dict[str, InvocationMetrics] = field(default_factory=dict)  # by function ARN (collected)
    # by function ARN: the status analysis.activity derives from `invocations` (and Lambda@Edge replicas)
    activity: dict[str, Activity] = field(default_factory=dict)
    window_days: int = 0
    account_settings: dict[Scope, AccountSettings] = field(default_factory=dict)
    reserved: dict[str, int | None] = field(default_factory=dict)  # by function ARN; None = no limit
    # (account, region) -> True when `reserved` was inferred from GetAccountSettings (nothing reserved
    # in the region, so no per-function look-ups): a reservation of 0 adds nothing to the account total,
    # so such a region's "no limit" may hide a function switched off at 0.
    reserved_inferred: dict[Scope, bool] = field(default_factory=dict)
    provisioned: dict[str, list[ProvisionedConfig]] = field(default_factory=dict)
    region_metrics: dict[Scope, RegionMetrics] = field(default_factory=dict)
    function_metrics: dict[str, FunctionMetrics] = field(default_factory=dict)
    resource_policies: dict[str, Any] = field(default_factory=dict)  # by ARN; None = no policy
    function_urls: dict[str, list[UrlConfig]] = field(default_factory=dict)
    iam: dict[str, IamDetails] = field(default_factory=dict)  # by account
    billing: dict[str, BillingState] = field(default_factory=dict)  # by account
    tags: dict[str, dict[str, str]] = field(default_factory=dict)  # by function ARN
    versions: dict[str, list[VersionInfo]] = field(default_factory=dict)  # by unqualified ARN
    aliases: dict[str, list[AliasInfo]] = field(default_factory=dict)
    errors: list[ErrorRecord] = field(default_factory=list)
    # Facts derived from this inventory, computed once and shared by the checks that select from them
    # (e.g. the IAM audit), keyed by what derived them: their lifetime is the inventory's, never global.
    derived: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    now: datetime | None = None
    # audit-code (Part.CODE): each function version's code by qualified ARN, each layer version's
    # CodeSha256 by its ARN, each package's contents by CodeSha256, and the OSV advisories of each
    # dependency by `dependency_key` (absent: not looked up).
    code: dict[str, DeployedCode] = field(default_factory=dict)
    layer_code: dict[str, str] = field(default_factory=dict)
    code_packages: dict[str, PackageContents] = field(default_factory=dict)
    advisories: dict[str, tuple[Advisory, ...]] = field(default_factory=dict)

    def all_functions(self) -> list[FunctionInfo]:
        return [f for scope in sorted(self.functions) for f in self.functions[scope]]


def dependency_key(dep: Dependency) -> str:
    """The key of `Inventory.advisories`: ecosystem, name and version."""
    return f"{dep.ecosystem}\x1f{dep.name}\x1f{dep.version}"
