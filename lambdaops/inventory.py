"""The inventory: plain dataclasses the collect layer fills and the checks read.

A part that could not be read for an (account, region) is absent from its dict and has an
ErrorRecord in `errors`; checks treat absence as "unknown", never as zero or "none".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lambdaops.env_secrets import EnvSecret
from lambdaops.model import ErrorRecord

Scope = tuple[str, str]  # (account_id, region)


# The one region of billing guardrails. AWS: "Billing metric data is stored in the US East (N. Virginia)
# Region and represents worldwide charges" (CloudWatch User Guide, "Create a billing alarm to monitor
# your estimated AWS charges", quoted the same by AWS's docs mirrors; read 2026-12-06), so billing
# alarms, and the SNS topics they notify (same region as the alarm), live there.
BILLING_REGION = "us-east-1"


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
    # Architectures[0] and EphemeralStorage.Size from ListFunctions: what `cost` prices by.
    architecture: str = "x86_64"
    ephemeral_storage_mb: int = 512
    # From the same ListFunctions answer. None: not read (a hand-built or older inventory), which the
    # checks treat as unknown; "" / () / 0: read, and absent on the function.
    # The variables whose values look like secrets (name and detector only; lambdaops/env_secrets.py).
    env_secrets: tuple[EnvSecret, ...] | None = None
    timeout_s: int | None = None
    tracing_mode: str | None = None  # TracingConfig.Mode: Active | PassThrough
    kms_key_arn: str | None = None  # the customer managed key encrypting the environment ("" = AWS's)
    dead_letter_arn: str | None = None  # DeadLetterConfig.TargetArn ("" = none)
    subnet_ids: tuple[str, ...] | None = None  # VpcConfig.SubnetIds (() = not in a VPC)

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
    # With the run_metrics part, from the same GetMetricData calls (None: not asked for, or unreadable):
    # Errors and Invocations over the same span (the window's first grid line to now), and the
    # longest Duration (milliseconds) in it.
    errors: float | None = None
    span_invocations: float | None = None
    max_duration_ms: float | None = None


@dataclass(frozen=True)
class EdgeReplicas:
    """Lambda@Edge, for a us-east-1 function (collected by collect/edge.py; judged in analysis).

    `distributions`: the CloudFront distributions associating it (None: ListDistributions could not
    be read, so it may be replicated). For an associated function that recorded no invocation in
    us-east-1, its replicas' Invocations over the window, summed over every enabled region
    (`window_sum` 0.0: none; None: not measured), and whether every region could be read."""

    distributions: tuple[str, ...] | None
    window_sum: float | None = None
    last_invocation: datetime | None = None
    complete: bool = True  # False: a region (or the list of regions) could not be read


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
    last_modified: datetime | None = None  # when the config was last set (cost: how long it ran)


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
    # Cors.AllowOrigins / Cors.AllowCredentials (None: not read, e.g. a cache entry from before they
    # were kept: unknown).
    cors_allow_origins: tuple[str, ...] | None = None
    cors_allow_credentials: bool | None = None

    def __post_init__(self) -> None:
        if isinstance(self.cors_allow_origins, list):  # read back from the JSON cache
            object.__setattr__(self, "cors_allow_origins", tuple(self.cors_allow_origins))


@dataclass(frozen=True)
class InvokeConfig:
    """One event invoke config (asynchronous invocation settings) of a function, alias or version."""

    qualifier: str | None  # None: the unqualified function ($LATEST)
    on_failure_arn: str | None  # DestinationConfig.OnFailure.Destination


@dataclass(frozen=True)
class VersionInfo:
    version: str
    code_size_bytes: int
    last_modified: datetime
    runtime: str | None = None  # the version's own runtime (it keeps the one it was published with)
    env_secrets: tuple[EnvSecret, ...] | None = None  # as FunctionInfo's: a version keeps its environment


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
    created: datetime | None = None  # the role's CreateDate: how long its use could be observed


@dataclass(frozen=True)
class IamDetails:
    roles: dict[str, RoleInfo]  # by role ARN
    policies: dict[str, ManagedPolicy]  # by policy ARN


@dataclass(frozen=True)
class ServiceLastUsed:
    """One service a role's policies grant, as IAM's last-accessed report (GetServiceLastAccessedDetails)
    describes it: when the role last used it, and (action-level report) its tracked actions."""

    namespace: str  # the service prefix, lower case ("s3")
    name: str
    last_used: datetime | None  # None: not used within IAM's tracking period
    # action name (lower case, "s3:createbucket") -> when last used (None: tracked, not used); None: the
    # report carried no action detail for this service (service-level job, or nothing tracked)
    actions: dict[str, datetime | None] | None = None


@dataclass(frozen=True)
class RoleUsage:
    """IAM's last-accessed report for one role (collect/last_accessed.py)."""

    role_arn: str
    services: dict[str, ServiceLastUsed]  # by namespace
    job_type: str  # ACTION_LEVEL | SERVICE_LEVEL
    generated_at: datetime | None  # JobCompletionDate


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
class ProvisionedUsage:
    """One provisioned-concurrency config (an alias or version) over the cost window, from its metrics."""

    qualifier: str
    allocated: int | None  # from ListProvisionedConcurrencyConfigs; None when it could not be read
    configured_seconds: float  # hours with ProvisionedConcurrencyUtilization datapoints x 3600
    utilization_avg: float | None  # mean of the hourly averages (0..1); None without datapoints
    utilization_max: float | None  # the highest 1-minute maximum in the window
    invocations: float  # ProvisionedConcurrencyInvocations over the window


@dataclass(frozen=True)
class CostMetrics:
    """What one function used over the cost window (collect/cost_metrics.py): all from GetMetricData."""

    window_start: datetime
    window_end: datetime
    invocations: float  # Invocations Sum (no datapoints = none ran)
    duration_ms: float  # Duration Sum
    provisioned: tuple[ProvisionedUsage, ...] = ()


@dataclass(frozen=True)
class MemoryRecommendation:
    """AWS Compute Optimizer's memory recommendation for one function (collect/compute_optimizer.py)."""

    current_mb: int
    recommended_mb: int | None  # None: no recommendation (finding Unavailable)
    finding: str  # Optimized | NotOptimized | Unavailable
    reasons: tuple[str, ...] = ()  # MemoryOverprovisioned, MemoryUnderprovisioned, InsufficientData, ...
    estimated_monthly_savings: float | None = None  # USD, Compute Optimizer's own estimate
    lookback_days: float | None = None


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
    # the parts gathered (lambdaops.parts.Part values, needs included): what is absent was not read
    gathered: frozenset[str] = frozenset()
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
    # (account, region) -> {subnet id: Availability Zone} for the subnets functions use (DescribeSubnets)
    subnets: dict[Scope, dict[str, str]] = field(default_factory=dict)
    # by function ARN: its event invoke configs (read only where an async trigger needs them)
    invoke_configs: dict[str, list[InvokeConfig]] = field(default_factory=dict)
    last_accessed: dict[str, RoleUsage] = field(default_factory=dict)  # by role ARN (IAM last-accessed)
    errors: list[ErrorRecord] = field(default_factory=list)
    # Facts derived from this inventory, computed once and shared by the checks that select from them
    # (e.g. the IAM audit), keyed by what derived them: their lifetime is the inventory's, never global.
    derived: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    now: datetime | None = None
    # by function ARN: the cost window's usage (part COST_METRICS); absent = unreadable
    cost_metrics: dict[str, CostMetrics] = field(default_factory=dict)
    # by function ARN (part MEMORY_RECOMMENDATIONS); and per region whether Compute Optimizer answered:
    # enabled | not-enabled (not opted in) | unreadable (an error record says why)
    memory_recommendations: dict[str, MemoryRecommendation] = field(default_factory=dict)
    compute_optimizer: dict[Scope, str] = field(default_factory=dict)
    # by function ARN, us-east-1 functions only: Lambda@Edge associations and replica metrics
    edge: dict[str, EdgeReplicas] = field(default_factory=dict)
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
