"""Small, documented patches that make moto 5.2.5 answer what lambdaops needs.

Call :func:`install` once, before ``mock_aws()`` starts or before a moto server serves its first
request (the server builds its Lambda routes on the first Lambda request). It is idempotent. The shims
work the same in-process under ``mock_aws`` and in a moto server, because both route requests through
``moto.awslambda.urls.url_paths`` and ``BaseResponse.call_action``, which picks the handler method named
after the botocore operation (``GetAccountSettings`` -> ``LambdaResponse.get_account_settings``).

Shims, and why each exists:

* Lambda ``GetAccountSettings`` (``GET /2016-08-19/account-settings``): moto 5.2.5 answers 404 "Not yet
  implemented". The shim answers ``AccountLimit`` and ``AccountUsage`` from moto's own function state.
  The concurrency limit of an (account, region) is, first match wins: :func:`set_concurrency_limit`,
  the ``LAMBDAOPS_EMULATED_CONCURRENCY_LIMIT`` environment variable (read on every call, so a moto
  server subprocess can be configured; either ``N`` for every region or comma-separated
  ``REGION=N`` entries plus an optional bare ``N`` default, e.g. ``eu-west-1=50,1000``), then AWS's
  default of 1000. ``UnreservedConcurrentExecutions`` is the limit minus the reserved concurrency of the
  region's functions; code size used counts ``$LATEST`` and every published version, as AWS does.
* Lambda ``Put/Get/Delete/ListProvisionedConcurrencyConfig(s)``
  (``/2019-09-30/functions/{FunctionName}/provisioned-concurrency``): not implemented by moto. State is
  kept on moto's Lambda backend object, so it is per account and region and moto's reset clears it. A
  config is ``READY`` at once with allocated = available = requested. The qualifier must be a published
  version or an alias of one (``$LATEST`` -> ``InvalidParameterValueException``, an unknown one ->
  ``ResourceNotFoundException``); ``Get`` of a qualifier without a config answers
  ``ProvisionedConcurrencyConfigNotFoundException``; ``Delete`` of such a qualifier is a no-op 204.
  ``List`` pages with ``Marker``/``MaxItems`` (default and maximum 50).
* Lambda ``ListFunctionUrlConfigs`` (``GET /2021-10-31/functions/{FunctionName}/urls``): not
  implemented by moto; answered from the URL config moto keeps on the function, plus the aliases' URL
  configs ``lambdaops.demo.policy_shim`` keeps (moto has none). Pages like ``List`` above.
* CloudWatch ``GetMetricData``: moto scans every stored datapoint for every period of every query
  (quadratic: far too slow for a demo account with tens of thousands of datapoints), ignores the
  namespace when a query has dimensions, matches a query without dimensions against datapoints that
  have some, and ignores ``MaxDatapoints``/``NextToken``. The shim indexes datapoints per (namespace,
  metric name, sorted dimensions) with sorted timestamps and bisects. Semantics as documented by AWS:
  ``StartTime`` is rounded down (to the minute, or to a multiple of a sub-minute period, when less
  than 15 days ago; to 5 minutes up to 63 days; to the hour beyond); buckets start there in steps of
  ``Period`` and cover ``[StartTime, EndTime)``; only buckets with data are returned; statistics
  ``Sum``, ``Maximum``, ``Minimum``, ``Average``, ``SampleCount`` and ``pNN`` (nearest rank over
  single values); ``ScanBy`` ``TimestampDescending`` (default) or ``TimestampAscending``;
  ``MaxDatapoints`` caps the datapoints of one answer and ``NextToken`` pages the rest (a query cut by
  the page boundary is ``PartialData`` and continues on the next page). It also enforces AWS's request
  rules that moto skips: at most 500 queries, each ``Id`` unique and starting with a lowercase letter.
  Metric-math expressions and Metric Insights (``SELECT``) queries still go through moto's own code.

* Budgets ``UpdateBudget``, ``DescribeSubscribersForNotification`` and ``CreateSubscriber``: not
  implemented by moto, which keeps each notification's subscribers but never shows them. Answered from
  moto's budget state: ``UpdateBudget`` replaces the budget's definition and keeps its notifications;
  a notification is matched on type, comparison operator, threshold and threshold type, as AWS does;
  an unknown budget or notification answers ``NotFoundException``, a subscriber that is already there
  ``DuplicateRecordException``. (``billing-alarm set --budget`` reads subscribers to stay idempotent.)
* Lambda ``AddPermission`` with ``FunctionUrlAuthType`` / ``InvokedViaFunctionUrl``: stored as
  conditions, as AWS does; ``Qualifier``: a policy per alias or version (``lambdaops.demo.policy_shim``).
* Lambda ``PublishVersion`` with ``CodeSha256``: refused (412) when it is not ``$LATEST``'s, as AWS
  does (``lambdaops.demo.version_shim``).
* Lambda ``Put/Update/Get/Delete/ListFunctionEventInvokeConfig(s)``: one config per qualifier,
  Put replacing, Update merging, as AWS does (``lambdaops.demo.invoke_config_shim``).
* Lambda ``ListFunctions`` in pages of at most 50, and STS ``AssumeRole`` refusing a role that does
  not exist (``lambdaops.demo.scale_shims``).

* IAM ``GenerateServiceLastAccessedDetails`` / ``GetServiceLastAccessedDetails``: not implemented
  by moto; answered from seeded usage (``lambdaops.demo.last_accessed_shim``).
* Security Hub ``GetFindings`` filters and pages, ``BatchImportFindings`` keeps the customer's fields,
  ``BatchUpdateFindings`` (``lambdaops.demo.securityhub_shim``).

* Functions' ``RevisionId`` (missing from ListFunctions, and not moved by permission changes) and
  ``GetFunction`` hiding a reservation of 0 (``lambdaops.demo.revision_shim``).

* Speed only: IAM's AWS managed policies are loaded into the commercial partition's backend alone,
  parsed once per process (``lambdaops.demo.iam_managed_shim``).

Checked and left alone: ``GetFunctionConcurrency`` returns ``ReservedConcurrentExecutions: 0`` for a
function reserved at 0, and ``PutMetricData`` keeps datapoints with old timestamps, so the index sees
them.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import math
import os
import re
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = [
    "CONCURRENCY_LIMIT_ENV",
    "DEFAULT_CONCURRENCY_LIMIT",
    "concurrency_limit",
    "install",
    "reset_concurrency_limits",
    "set_concurrency_limit",
]

CONCURRENCY_LIMIT_ENV = "LAMBDAOPS_EMULATED_CONCURRENCY_LIMIT"
DEFAULT_CONCURRENCY_LIMIT = 1000

# AWS's documented fixed quotas, in bytes.
TOTAL_CODE_SIZE_LIMIT = 80_530_636_800
CODE_SIZE_ZIPPED_LIMIT = 52_428_800
CODE_SIZE_UNZIPPED_LIMIT = 262_144_000

_LIST_PAGE_MAX = 50
_DEFAULT_MAX_DATAPOINTS = 100_800
_MAX_METRIC_DATA_QUERIES = 500
_QUERY_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")
_PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d+)?|100)$")

_LAMBDA_PATHS = (
    r"{0}/(?P<api_version>[^/]+)/account-settings/?$",
    r"{0}/(?P<api_version>[^/]+)/functions/(?P<function_name>[\w_:%-]+)/provisioned-concurrency/?$",
    r"{0}/(?P<api_version>[^/]+)/functions/(?P<function_name>[\w_:%-]+)/urls/?$",
)

_install_lock = threading.Lock()
_installed = threading.Event()

_limits_lock = threading.Lock()
_limits: dict[tuple[str, str], int] = {}

# Guards the per-backend metric indexes: a moto server answers requests on several threads.
_metrics_lock = threading.Lock()


# --------------------------------------------------------------------------- concurrency limit


def set_concurrency_limit(account_id: str, region: str, limit: int) -> None:
    """Set the emulated account concurrency limit of one (account, region); wins over the env var."""
    if limit < 0:
        raise ValueError(f"concurrency limit must not be negative, got {limit}")
    with _limits_lock:
        _limits[(account_id, region)] = limit


def reset_concurrency_limits() -> None:
    """Forget every limit set with :func:`set_concurrency_limit`."""
    with _limits_lock:
        _limits.clear()


def concurrency_limit(account_id: str, region: str) -> int:
    """The emulated limit of (account, region): explicit setting, then the env var, then 1000."""
    with _limits_lock:
        explicit = _limits.get((account_id, region))
    if explicit is not None:
        return explicit
    from_env = _limit_from_env(os.environ.get(CONCURRENCY_LIMIT_ENV, ""), region)
    return DEFAULT_CONCURRENCY_LIMIT if from_env is None else from_env


def _limit_from_env(spec: str, region: str) -> int | None:
    default: int | None = None
    for raw in spec.split(","):
        entry = raw.strip()
        if not entry:
            continue
        name, sep, value = entry.partition("=")
        try:
            if not sep:
                default = int(name)
            elif name.strip() == region:
                return int(value)
        except ValueError:
            raise ValueError(
                f"{CONCURRENCY_LIMIT_ENV}={spec!r}: expected N or REGION=N entries separated by commas"
            ) from None
    return default


# --------------------------------------------------------------------------- install


def install() -> None:
    """Patch moto's Lambda routes and handlers and CloudWatch's GetMetricData. Idempotent."""
    with _install_lock:
        if _installed.is_set():
            return
        from moto.awslambda import urls as lambda_urls
        from moto.awslambda.responses import LambdaResponse
        from moto.cloudwatch.responses import CloudWatchResponse

        for pattern in _LAMBDA_PATHS:
            lambda_urls.url_paths.setdefault(pattern, LambdaResponse.dispatch)
        LambdaResponse.get_account_settings = _get_account_settings
        LambdaResponse.put_provisioned_concurrency_config = _put_provisioned_concurrency_config
        LambdaResponse.get_provisioned_concurrency_config = _get_provisioned_concurrency_config
        LambdaResponse.delete_provisioned_concurrency_config = _delete_provisioned_concurrency_config
        LambdaResponse.list_provisioned_concurrency_configs = _list_provisioned_concurrency_configs
        LambdaResponse.list_function_url_configs = _list_function_url_configs
        CloudWatchResponse.get_metric_data = _get_metric_data
        from moto.budgets.responses import BudgetsResponse

        BudgetsResponse.update_budget = _update_budget
        BudgetsResponse.describe_subscribers_for_notification = _describe_subscribers_for_notification
        BudgetsResponse.create_subscriber = _create_subscriber
        from lambdaops.demo import (
            edge_shim,
            invoke_config_shim,
            last_accessed_shim,
            policy_shim,
            qualified_policy_shim,
            revision_shim,
            scale_shims,
            version_shim,
        )

        edge_shim.install()
        policy_shim.install()
        scale_shims.install()
        version_shim.install()  # PublishVersion refuses a CodeSha256 that is not $LATEST's
        invoke_config_shim.install()  # event invoke configs per qualifier
        qualified_policy_shim.install()
        revision_shim.install()
        last_accessed_shim.install()  # IAM's last-accessed reports, from seeded usage
        from lambdaops.demo import securityhub_shim

        securityhub_shim.install()  # GetFindings filters and pages, BatchUpdateFindings
        from lambdaops.demo import iam_managed_shim

        iam_managed_shim.install()  # speed: managed policies parsed once, commercial partition only
        _installed.set()


# --------------------------------------------------------------------------- Lambda helpers


def _json_response(status: int, body: dict[str, Any] | None) -> tuple[int, dict[str, Any], str]:
    return status, {"status": status, "content-type": "application/json"}, json.dumps(body or {})


def _path_function_name(self: Any) -> str:
    from urllib.parse import unquote

    # /<api-version>/functions/<FunctionName>/<resource>
    return unquote(self.path.split("/")[3])


def _query_param(self: Any, name: str) -> str | None:
    values = self.querystring.get(name)
    if not values:
        return None
    value = values[0] if isinstance(values, list) else values
    return str(value)


def _invalid_parameter(message: str) -> Exception:
    from moto.awslambda.exceptions import InvalidParameterValueException

    exc: Exception = InvalidParameterValueException(message)
    return exc


def _page_bounds(self: Any) -> tuple[int, int]:
    """(offset, page size) from Lambda's Marker/MaxItems query parameters."""
    raw_max = _query_param(self, "MaxItems")
    try:
        max_items = _LIST_PAGE_MAX if raw_max is None else int(raw_max)
    except ValueError:
        raise _invalid_parameter(f"Invalid MaxItems: {raw_max}") from None
    if not 1 <= max_items <= _LIST_PAGE_MAX:
        raise _invalid_parameter(f"MaxItems must be between 1 and {_LIST_PAGE_MAX}, got {max_items}")
    marker = _query_param(self, "Marker")
    offset = 0 if marker is None else _decode_offset(marker, "lambda")
    if offset is None:
        raise _invalid_parameter("Invalid Marker")
    return offset, max_items


def _encode_offset(offset: int, scope: str) -> str:
    return base64.urlsafe_b64encode(f"lambdaops-{scope}:{offset}".encode()).decode()


def _decode_offset(token: str, scope: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    prefix, _, number = text.partition(":")
    if prefix != f"lambdaops-{scope}" or not number.isdigit():
        return None
    return int(number)


def _lambda_page(self: Any, items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    offset, max_items = _page_bounds(self)
    body: dict[str, Any] = {key: items[offset : offset + max_items]}
    if offset + max_items < len(items):
        body["NextMarker"] = _encode_offset(offset + max_items, "lambda")
    return body


# --------------------------------------------------------------------------- GetAccountSettings


def _get_account_settings(self: Any) -> tuple[int, dict[str, Any], str]:
    backend = self.backend
    limit = concurrency_limit(self.current_account, self.region)
    reserved = 0
    code_size = 0
    function_count = 0
    for fn in backend.list_functions():
        function_count += 1
        if fn.reserved_concurrency is not None:
            reserved += int(fn.reserved_concurrency)
        # The first entry is a copy of $LATEST, the rest are the published versions.
        code_size += sum(int(v.code_size or 0) for v in backend.list_versions_by_function(fn.function_name))
    return _json_response(
        200,
        {
            "AccountLimit": {
                "TotalCodeSize": TOTAL_CODE_SIZE_LIMIT,
                "CodeSizeUnzipped": CODE_SIZE_UNZIPPED_LIMIT,
                "CodeSizeZipped": CODE_SIZE_ZIPPED_LIMIT,
                "ConcurrentExecutions": limit,
                "UnreservedConcurrentExecutions": limit - reserved,
            },
            "AccountUsage": {"TotalCodeSize": code_size, "FunctionCount": function_count},
        },
    )


# --------------------------------------------------------------------------- provisioned concurrency


@dataclass
class _ProvisionedConfig:
    requested: int
    last_modified: str


@dataclass
class _FunctionProvisioning:
    # Identity of the function the configs belong to: a function deleted and created again under the
    # same name must not inherit them, as on AWS.
    owner: weakref.ref[Any]
    configs: dict[str, _ProvisionedConfig] = field(default_factory=dict)


def _provisioning_store(backend: Any) -> dict[str, _FunctionProvisioning]:
    # Kept on the backend object so it is per (account, region) and moto's reset() wipes it.
    store: dict[str, _FunctionProvisioning] | None = getattr(backend, "_lambdaops_provisioned", None)
    if store is None:
        store = {}
        backend._lambdaops_provisioned = store
    return store


def _function_provisioning(self: Any) -> tuple[Any, _FunctionProvisioning]:
    backend = self.backend
    # Raises moto's ResourceNotFoundException for an unknown function, and refuses a qualified name.
    fn = backend._lambdas.get_function_by_name_or_arn_forbid_qualifier(_path_function_name(self))
    store = _provisioning_store(backend)
    entry = store.get(fn.function_name)
    if entry is None or entry.owner() is not fn:
        entry = _FunctionProvisioning(owner=weakref.ref(fn))
        store[fn.function_name] = entry
    return fn, entry


def _qualifier_targets_version(backend: Any, fn: Any, qualifier: str) -> bool:
    """Whether ``qualifier`` is a published version or an alias of one (False for an unknown one)."""
    from moto.awslambda.exceptions import UnknownFunctionException

    try:
        target = backend.get_function(fn.function_name, qualifier)
    except UnknownFunctionException:
        return False
    return str(target.version) != "$LATEST"


def _checked_qualifier(self: Any, fn: Any) -> str:
    from moto.awslambda.exceptions import UnknownFunctionException

    qualifier = _query_param(self, "Qualifier")
    if not qualifier:
        raise _invalid_parameter("Qualifier is required for provisioned concurrency configs.")
    if qualifier.upper() == "$LATEST":
        raise _invalid_parameter(
            "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
        )
    try:
        target = self.backend.get_function(fn.function_name, qualifier)
    except UnknownFunctionException:
        raise UnknownFunctionException(f"{fn.function_arn}:{qualifier}") from None
    if str(target.version) == "$LATEST":
        raise _invalid_parameter(
            "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
        )
    return qualifier


def _config_body(config: _ProvisionedConfig) -> dict[str, Any]:
    return {
        "RequestedProvisionedConcurrentExecutions": config.requested,
        "AvailableProvisionedConcurrentExecutions": config.requested,
        "AllocatedProvisionedConcurrentExecutions": config.requested,
        "Status": "READY",
        "LastModified": config.last_modified,
    }


def _config_not_found() -> Exception:
    from moto.awslambda.exceptions import LambdaClientError

    exc: Exception = LambdaClientError(
        "ProvisionedConcurrencyConfigNotFoundException",
        "No Provisioned Concurrency Config found for this function",
    )
    exc.code = 404  # type: ignore[attr-defined]
    return exc


def _put_provisioned_concurrency_config(self: Any) -> tuple[int, dict[str, Any], str]:
    fn, entry = _function_provisioning(self)
    qualifier = _checked_qualifier(self, fn)
    body = json.loads(self.body or "{}")
    requested = body.get("ProvisionedConcurrentExecutions")
    if not isinstance(requested, int) or isinstance(requested, bool) or requested < 1:
        raise _invalid_parameter("ProvisionedConcurrentExecutions must be an integer of at least 1.")
    config = _ProvisionedConfig(requested, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"))
    entry.configs[qualifier] = config
    return _json_response(202, _config_body(config))


def set_provisioned_last_modified(
    account_id: str, region: str, function_name: str, qualifier: str, when: datetime
) -> None:
    """Date a seeded provisioned config back (the demo's configs have run for weeks; moto's are new)."""
    from moto.awslambda.models import lambda_backends

    entry = _provisioning_store(lambda_backends[account_id][region])[function_name]
    entry.configs[qualifier].last_modified = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _get_provisioned_concurrency_config(self: Any) -> tuple[int, dict[str, Any], str]:
    fn, entry = _function_provisioning(self)
    qualifier = _checked_qualifier(self, fn)
    config = entry.configs.get(qualifier)
    if config is None:
        raise _config_not_found()
    return _json_response(200, _config_body(config))


def _delete_provisioned_concurrency_config(self: Any) -> tuple[int, dict[str, Any], str]:
    fn, entry = _function_provisioning(self)
    qualifier = _checked_qualifier(self, fn)
    entry.configs.pop(qualifier, None)
    return 204, {"status": 204}, ""


def _list_provisioned_concurrency_configs(self: Any) -> tuple[int, dict[str, Any], str]:
    fn, entry = _function_provisioning(self)
    # A version or alias deleted since its config was put takes the config with it.
    for qualifier in [q for q in entry.configs if not _qualifier_targets_version(self.backend, fn, q)]:
        del entry.configs[qualifier]
    items = [
        {"FunctionArn": f"{fn.function_arn}:{qualifier}", **_config_body(config)}
        for qualifier, config in entry.configs.items()
    ]
    return _json_response(200, _lambda_page(self, items, "ProvisionedConcurrencyConfigs"))


# --------------------------------------------------------------------------- ListFunctionUrlConfigs


def _list_function_url_configs(self: Any) -> tuple[int, dict[str, Any], str]:
    fn = self.backend._lambdas.get_function_by_name_or_arn_forbid_qualifier(_path_function_name(self))
    items = [fn.url_config.to_dict()] if fn.url_config is not None else []
    return _json_response(200, _lambda_page(self, items, "FunctionUrlConfigs"))


# --------------------------------------------------------------------------- CloudWatch GetMetricData


def _as_utc(moment: datetime) -> datetime:
    # moto stores and parses naive datetimes that mean UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _epoch(moment: datetime) -> float:
    return _as_utc(moment).timestamp()


_SeriesKey = tuple[str, str, tuple[tuple[str, str], ...]]


def _series_key(namespace: str, name: str, dimensions: Iterable[tuple[str, str]]) -> _SeriesKey:
    return namespace, name, tuple(sorted(dimensions))


class _Series:
    """One metric's datapoints, kept sorted by timestamp so a time range is two bisections."""

    __slots__ = ("_sorted", "points", "times")

    def __init__(self) -> None:
        self.times: list[float] = []
        self.points: list[Any] = []
        self._sorted = True

    def add(self, moment: float, point: Any) -> None:
        if self.times and moment < self.times[-1]:
            self._sorted = False
        self.times.append(moment)
        self.points.append(point)

    def between(self, start: float, end: float) -> Sequence[Any]:
        if not self._sorted:
            order = sorted(range(len(self.times)), key=self.times.__getitem__)
            self.times = [self.times[i] for i in order]
            self.points = [self.points[i] for i in order]
            self._sorted = True
        lo = bisect.bisect_left(self.times, start)
        hi = bisect.bisect_left(self.times, end)
        return self.points[lo:hi]


class _MetricIndex:
    """Index over a backend's ``metric_data`` list. moto only ever appends to that list, and its
    reset() drops this index together with the rest of the backend's state."""

    def __init__(self) -> None:
        self._indexed = 0
        self.series: dict[_SeriesKey, _Series] = {}

    def refresh(self, data: list[Any]) -> None:
        for datum in data[self._indexed :]:
            key = _series_key(datum.namespace, datum.name, ((d.name, d.value) for d in datum.dimensions))
            self.series.setdefault(key, _Series()).add(_epoch(datum.timestamp), datum)
        self._indexed = len(data)


def _metric_index(backend: Any) -> _MetricIndex:
    index: _MetricIndex | None = getattr(backend, "_lambdaops_metric_index", None)
    if index is None:
        index = _MetricIndex()
        backend._lambdaops_metric_index = index
    index.refresh(backend.metric_data)
    return index


def _rounded_start(start: datetime, period: int, now: datetime) -> datetime:
    """StartTime as AWS rounds it, by its age: to the minute (or, for a period under a minute, to a
    multiple of the period within the minute), to 5 minutes, or to the hour."""
    age = now - start
    if age > timedelta(days=63):
        return start.replace(minute=0, second=0, microsecond=0)
    if age > timedelta(days=15):
        return start.replace(minute=start.minute - start.minute % 5, second=0, microsecond=0)
    if period < 60:
        return start.replace(second=start.second - start.second % period, microsecond=0)
    return start.replace(second=0, microsecond=0)


class _Bucket:
    __slots__ = ("count", "maximum", "minimum", "total", "values")

    def __init__(self) -> None:
        self.count = 0.0
        self.total = 0.0
        self.minimum = math.inf
        self.maximum = -math.inf
        self.values: list[float] = []

    def add(self, datum: Any) -> None:
        if hasattr(datum, "sample_count"):  # a StatisticValues set
            self.count += float(datum.sample_count)
            self.total += float(datum.sum)
            self.minimum = min(self.minimum, float(datum.min))
            self.maximum = max(self.maximum, float(datum.max))
        else:
            value = float(datum.value)
            self.count += 1
            self.total += value
            self.minimum = min(self.minimum, value)
            self.maximum = max(self.maximum, value)
            self.values.append(value)

    def statistic(self, stat: str) -> float | None:
        if stat == "Sum":
            return self.total
        if stat == "SampleCount":
            return self.count
        if stat == "Average":
            return self.total / self.count if self.count else None
        if stat == "Minimum":
            return self.minimum
        if stat == "Maximum":
            return self.maximum
        match = _PERCENTILE.match(stat)
        if match and self.values:
            ordered = sorted(self.values)
            rank = math.ceil(float(match.group(1)) / 100 * len(ordered))
            return ordered[max(rank - 1, 0)]
        return None


@dataclass
class _QueryResult:
    query_id: str
    label: str
    timestamps: list[datetime]
    values: list[float]


def _validation_error(message: str) -> Exception:
    from moto.cloudwatch.exceptions import ValidationError

    exc: Exception = ValidationError(message)
    return exc


def _check_queries(queries: list[dict[str, Any]]) -> None:
    if len(queries) > _MAX_METRIC_DATA_QUERIES:
        raise _validation_error(
            f"The collection MetricDataQueries must not have a size greater than {_MAX_METRIC_DATA_QUERIES}."
        )
    seen: set[str] = set()
    for number, query in enumerate(queries, start=1):
        query_id = str(query.get("Id", ""))
        if not _QUERY_ID.match(query_id):
            raise _validation_error(
                f"The value {query_id} for parameter MetricDataQueries.member.{number}.Id is not valid: "
                "it must start with a lowercase letter and contain only letters, numbers and underscores."
            )
        if query_id in seen:
            raise _validation_error(
                f"The values for parameter Id in MetricDataQueries are not unique: {query_id}"
            )
        seen.add(query_id)
        if "MetricStat" not in query and "Expression" not in query:
            raise _validation_error(
                f"The parameter MetricDataQueries.member.{number}.MetricStat is required."
            )
        stat = query.get("MetricStat", {}).get("Stat")
        known = {"Sum", "SampleCount", "Average", "Minimum", "Maximum"}
        if stat is not None and stat not in known and not _PERCENTILE.match(str(stat)):
            raise _validation_error(f"The statistic {stat} is not supported by the emulation.")


def _metric_stat_result(
    index: _MetricIndex,
    extra: list[Any],
    query: dict[str, Any],
    start: datetime,
    end: datetime,
    *,
    ascending: bool,
    now: datetime,
) -> _QueryResult:
    stat_spec = query["MetricStat"]
    metric = stat_spec["Metric"]
    namespace, name = metric.get("Namespace", ""), metric["MetricName"]
    key = _series_key(namespace, name, ((d["Name"], d["Value"]) for d in metric.get("Dimensions") or []))
    period = int(stat_spec["Period"])
    if period <= 0:
        raise _validation_error("The parameter Period must be greater than 0.")
    stat, unit = stat_spec["Stat"], stat_spec.get("Unit")
    start = _rounded_start(start, period, now)
    start_s, end_s = _epoch(start), _epoch(end)

    series = index.series.get(key)
    points: list[Any] = list(series.between(start_s, end_s)) if series else []
    # Metrics moto computes on the fly (e.g. S3 bucket sizes) are few; filter them directly.
    points.extend(
        d
        for d in extra
        if _series_key(d.namespace, d.name, ((x.name, x.value) for x in d.dimensions)) == key
        and start_s <= _epoch(d.timestamp) < end_s
    )

    buckets: dict[int, _Bucket] = {}
    for datum in points:
        if unit and datum.unit != unit:
            continue
        slot = int((_epoch(datum.timestamp) - start_s) // period)
        buckets.setdefault(slot, _Bucket()).add(datum)

    timestamps: list[datetime] = []
    values: list[float] = []
    for slot in sorted(buckets, reverse=not ascending):
        value = buckets[slot].statistic(stat)
        if value is None:
            continue
        timestamps.append(start + timedelta(seconds=slot * period))
        values.append(value)
    label = query.get("Label") or f"{name} {stat}"
    return _QueryResult(str(query["Id"]), label, timestamps, values)


def _evaluate_queries(
    backend: Any,
    queries: list[dict[str, Any]],
    raw_start: datetime,
    raw_end: datetime,
    scan_by: str,
) -> list[_QueryResult]:
    from moto.cloudwatch.metric_data_expression_parser import parse_expression

    start, end, now = _as_utc(raw_start), _as_utc(raw_end), datetime.now(UTC)
    ascending = scan_by == "TimestampAscending"

    computed: dict[str, _QueryResult] = {}
    with _metrics_lock:
        index = _metric_index(backend)
        extra = list(backend.aws_metric_data) if any("MetricStat" in q for q in queries) else []
        for query in queries:
            if "MetricStat" in query:
                computed[str(query["Id"])] = _metric_stat_result(
                    index, extra, query, start, end, ascending=ascending, now=now
                )

    insight_queries = [q for q in queries if str(q.get("Expression", "")).startswith("SELECT")]
    insight: dict[str, dict[str, Any]] = {}
    if insight_queries:
        for result in backend.get_metric_data(
            queries=insight_queries, start_time=raw_start, end_time=raw_end, scan_by=scan_by
        ):
            insight[result["id"]] = result
    # moto's metric-math evaluator reads results in its own (snake_case) shape.
    moto_shaped = [
        {"id": r.query_id, "label": r.label, "values": r.values, "timestamps": r.timestamps}
        for r in computed.values()
    ]

    results: list[_QueryResult] = []
    for query in queries:
        query_id = str(query["Id"])
        if not query.get("ReturnData", True):
            continue
        if query_id in computed:
            results.append(computed[query_id])
        elif query_id in insight:
            found = insight[query_id]
            results.append(_QueryResult(query_id, found["label"], found["timestamps"], found["values"]))
        else:
            values, timestamps = parse_expression(query["Expression"], moto_shaped)
            results.append(
                _QueryResult(query_id, query.get("Label") or query_id, list(timestamps), list(values))
            )
    return results


def _page_metric_results(results: list[_QueryResult], offset: int, max_points: int) -> dict[str, Any]:
    stop = offset + max_points
    position = 0
    page: list[dict[str, Any]] = []
    for result in results:
        count = len(result.values)
        if offset > 0 and position + count <= offset:
            position += count
            continue  # fully answered on an earlier page
        lo, hi = max(offset - position, 0), max(min(stop - position, count), 0)
        page.append(
            {
                "Id": result.query_id,
                "Label": result.label,
                "Timestamps": result.timestamps[lo:hi],
                "Values": result.values[lo:hi],
                "StatusCode": "Complete" if position + count <= stop else "PartialData",
                "Messages": [],
            }
        )
        position += count
    body: dict[str, Any] = {"MetricDataResults": page, "Messages": []}
    if stop < position:
        body["NextToken"] = _encode_offset(stop, "gmd")
    return body


def _get_metric_data(self: Any) -> Any:
    from moto.cloudwatch.exceptions import CloudWatchException
    from moto.core.responses import ActionResult

    params = self._get_params()
    queries: list[dict[str, Any]] = params.get("MetricDataQueries") or []
    _check_queries(queries)
    start, end = params["StartTime"], params["EndTime"]
    if _epoch(start) >= _epoch(end):
        raise _validation_error("The parameter StartTime must be less than the parameter EndTime.")
    max_points = int(params.get("MaxDatapoints") or _DEFAULT_MAX_DATAPOINTS)
    if max_points < 1:
        raise _validation_error("The parameter MaxDatapoints must be greater than 0.")
    token = params.get("NextToken")
    offset = 0 if not token else _decode_offset(str(token), "gmd")
    if offset is None:
        raise CloudWatchException("InvalidNextToken", "The service cannot recognize the NextToken.")
    results = _evaluate_queries(
        self.cloudwatch_backend, queries, start, end, params.get("ScanBy") or "TimestampDescending"
    )
    return ActionResult(_page_metric_results(results, offset, max_points))


# --------------------------------------------------------------------------- Budgets


def _budget(self: Any) -> Any:
    from moto.budgets.exceptions import NotFoundException

    name = self._get_param("BudgetName") or (self._get_param("NewBudget") or {}).get("BudgetName")
    budget = self.backend.budgets[self._get_param("AccountId")].get(name)
    if budget is None:
        raise NotFoundException(f"Unable to get budget: {name} - the budget doesn't exist.")
    return budget


def _notification_key(details: dict[str, Any]) -> tuple[str, str, float, str]:
    return (
        str(details.get("NotificationType")),
        str(details.get("ComparisonOperator")),
        float(details.get("Threshold") or 0),
        str(details.get("ThresholdType") or "PERCENTAGE"),
    )


def _notification(self: Any) -> Any:
    from moto.budgets.exceptions import NotFoundException

    wanted = _notification_key(self._get_param("Notification") or {})
    for note in _budget(self).notifications:
        if _notification_key(note.details) == wanted:
            return note
    raise NotFoundException("Unable to find the notification: it does not exist for this budget.")


def _update_budget(self: Any) -> str:
    budget = _budget(self)
    kept = {k: budget.budget[k] for k in ("TimePeriod", "LastUpdatedTime") if k in budget.budget}
    budget.budget = {**dict(self._get_param("NewBudget")), **kept}
    return json.dumps({})


def _describe_subscribers_for_notification(self: Any) -> str:
    note = _notification(self)
    return json.dumps({"Subscribers": list(note.subscribers)})


def _create_subscriber(self: Any) -> str:
    from moto.budgets.exceptions import DuplicateRecordException

    note = _notification(self)
    subscriber = dict(self._get_param("Subscriber"))
    if any(
        (s.get("SubscriptionType"), s.get("Address"))
        == (subscriber["SubscriptionType"], subscriber["Address"])
        for s in note.subscribers
    ):
        raise DuplicateRecordException(record_type="subscriber", record_name=subscriber["Address"])
    note.subscribers = [*note.subscribers, subscriber]
    return json.dumps({})
