"""Settings: defaults < lambdaops.toml < LAMBDAOPS_* environment < flags.

Unknown keys are an error naming the line, so a typo never silently changes nothing.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from lambdaops.errors import UsageError
from lambdaops.function_filter import FunctionFilter
from lambdaops.model import Severity
from lambdaops.rates import RateLimit, parse_max_rps

DEFAULT_CONFIG_NAME = "lambdaops.toml"
MAX_DAYS = 455  # CloudWatch keeps hourly data 455 days: nothing older can be dated
# IAM reports last-accessed data for at least the last 400 days (GenerateServiceLastAccessedDetails,
# IAM API Reference, read 2026-12-06): a longer unused window could never be observed.
UNUSED_DAYS_MAX = 400


@dataclass(frozen=True)
class Suppression:
    check: str
    reason: str
    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    resource: str | None = None
    expires: date | None = None
    line: int | None = None


@dataclass(frozen=True)
class Settings:
    profile: str | None = None
    regions: tuple[str, ...] = ()
    all_regions: bool = False
    fail_on: Severity | None = Severity.HIGH  # None = never fail on findings
    workers: int = 8
    days: int = 10
    concurrency_days: int = 14
    concurrency_floor: int = 100
    peak_warn_percent: float = 80.0
    peak_high_percent: float = 95.0
    reservation_unused_ratio: float = 4.0
    keep_versions: int = 5
    runtime_warn_days: int = 90
    code_storage_warn_percent: float = 80.0
    strict: bool = False
    # AWS client timeouts (seconds); botocore retries a timed-out attempt like any transient error.
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    # Client-side pacing below AWS's API rate quotas (None: AWS's documented rates); see quotas.py.
    max_rps: RateLimit | None = None
    # False only for --demo: its emulated account lives in this process and has no quotas to keep
    # within, so pacing it would only slow the demo down (the quota proxy tests pace real processes).
    paced: bool = True
    # The per-function read cache (revision_cache.py): off with cache = false / --no-cache.
    cache: bool = True
    cache_dir: Path | None = None
    accounts: tuple[str, ...] = ()
    exclude_accounts: tuple[str, ...] = ()
    # Accounts outside the run that may invoke functions (partners, another organisation's CI): a
    # resource-policy grant to one of them is not a lambda-cross-account-invoke finding.
    trusted_accounts: tuple[str, ...] = ()
    role_name: str | None = None
    external_id: str | None = None
    # `lambdaops:ignore` tags: off with --no-tag-suppressions; they mute nothing above the ceiling,
    # so whoever can tag a function cannot switch the gate off for high or critical findings.
    tag_suppressions: bool = True
    tag_suppressions_max_severity: Severity = Severity.MEDIUM
    suppressions: tuple[Suppression, ...] = ()
    # --function/--tag/--exclude-tag (collect/function_filter.py); None: every listed function
    function_filter: FunctionFilter | None = None
    # Checks off by default in the catalogue that this team wants (globs): lambda-tracing-disabled,
    # lambda-env-no-cmk (CheckInfo.default_enabled).
    enable_checks: tuple[str, ...] = ()
    # lambda-error-rate-high: Errors / Invocations over the --days window above this percent, once
    # the function ran at least this many times (fewer: a handful of failures is not a rate).
    error_rate_percent: float = 5.0
    error_rate_min_invocations: int = 100
    # lambda-timeouts: the longest Duration in the window at or above this percent of the timeout.
    timeout_near_percent: float = 95.0
    # least-privilege / iam-unused-*: a permission unused this many days is proposed for removal
    # (never more than IAM's tracking period, 400 days: lambdaops/policy/tracking.py).
    unused_days: int = 90
    # least-privilege --role: only these execution roles (names or ARNs); () = every role in scope
    role_filter: tuple[str, ...] = ()
    # --notify KIND without a target: where it goes (secrets: registered with redact when read)
    slack_webhook_url: str | None = None
    teams_webhook_url: str | None = None
    sns_topic_arn: str | None = None
    config_path: Path | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    # cost (docs/cost.md): the window, a price table replacing the shipped one, and the average
    # ProvisionedConcurrencyUtilization under which provisioned concurrency counts as idle.
    cost_days: int = 30
    price_file: Path | None = None
    provisioned_idle_percent: float = 20.0
    # audit-code: a local OSV export (None: OSV's API), the API's base URL (None: https://api.osv.dev),
    # both also from lambdaops.toml and LAMBDAOPS_OSV_DB / LAMBDAOPS_OSV_URL, and a cap on one
    # package's download (bytes).
    osv_db: Path | None = None
    osv_url: str | None = None
    code_max_download_bytes: int = 300 * 1024 * 1024

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


# key -> (field name, parser). Parsers raise ValueError with a message naming the expected form.
def _scalar(v: Any, expected: str) -> int | float | str:
    """A number or a string: TOML arrays, tables, booleans and datetimes are refused by name."""
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        raise ValueError(f"expected {expected}, got {_shown(v)}")
    return v


def _shown(v: Any) -> str:
    """A bad value as it goes into an error line: short, and its type when it is not a scalar."""
    if isinstance(v, bool | int | float | str):
        text = repr(v)
        return text if len(text) <= 40 else text[:37] + "..."
    return f"a {type(v).__name__}"


def _finite(v: Any, expected: str) -> float:
    v = _scalar(v, expected)
    try:
        f = float(v)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"expected {expected}, got {_shown(v)}") from None
    if not math.isfinite(f):
        raise ValueError(f"expected {expected}, got {_shown(v)}")
    return f


def _int_range(lo: int, hi: int) -> Any:
    def parse(v: Any) -> int:
        expected = f"a whole number from {lo} to {hi}"
        v = _scalar(v, expected)
        if isinstance(v, str) and len(v.strip()) > 20:  # int() of a huge digit string is slow
            raise ValueError(f"expected {expected}, got {_shown(v)}")
        try:
            n = int(v)
        except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf)
            raise ValueError(f"expected {expected}, got {_shown(v)}") from None
        if isinstance(v, float) and v != n:
            raise ValueError(f"expected {expected}, got {_shown(v)}")
        if not lo <= n <= hi:
            raise ValueError(f"expected {expected}, got {_shown(n)}")
        return n

    parse.bounds = (lo, hi)  # type: ignore[attr-defined]  # a flag's error names the range
    return parse


def _percent(v: Any) -> float:
    f = _finite(v, "a percentage from 1 to 100")
    if not 1 <= f <= 100:
        raise ValueError(f"expected a percentage from 1 to 100, got {_shown(v)}")
    return f


MAX_RATIO = 1000.0  # a reservation 1000 times its peak is unused by any measure


def _positive_float(v: Any) -> float:
    expected = f"a number above 1 and at most {MAX_RATIO:g}"
    f = _finite(v, expected)  # NaN and inf compare false with everything: refuse them first
    if not 1 < f <= MAX_RATIO:
        raise ValueError(f"expected {expected}, got {_shown(v)}")
    return f


def _seconds(lo: float, hi: float) -> Any:
    def parse(v: Any) -> float:
        f = _finite(v, f"seconds from {lo:g} to {hi:g}")
        if not lo <= f <= hi:
            raise ValueError(f"expected seconds from {lo:g} to {hi:g}, got {_shown(v)}")
        return f

    return parse


def parse_fail_on(v: Any) -> Severity | None:
    if not isinstance(v, str):
        raise ValueError(f"expected a severity name or none, got {_shown(v)}")
    text = v.strip().lower()
    if text == "none":
        return None
    return Severity.parse(text)


def _severity(v: Any) -> Severity:
    if not isinstance(v, str):
        raise ValueError("expected a severity: info, low, medium, high or critical")
    return Severity.parse(v)


def _str_list(v: Any) -> tuple[str, ...]:
    if isinstance(v, str):
        items = [p.strip() for p in v.split(",")]
    elif isinstance(v, list) and all(isinstance(p, str) for p in v):
        items = [p.strip() for p in v]
    else:
        raise ValueError(f"expected a list of strings (or a comma-separated string), got {_shown(v)}")
    for item in items:
        if not item.isprintable():
            raise ValueError(f"{item!r} holds control or invisible characters")
    return tuple(i for i in items if i)


# AWS region codes: partition prefix, area, optional sub-area, number (eu-west-1, us-gov-west-1,
# cn-north-1, ap-southeast-7, eusc-de-east-1). Spaces, capitals or control characters never are.
REGION_CODE = re.compile(r"[a-z]{2,4}(-[a-z]+){1,3}-[0-9]{1,2}")
ACCOUNT_ID = re.compile(r"[0-9]{12}")


def _region_list(v: Any) -> tuple[str, ...]:
    items = _str_list(v)
    for item in items:
        if not REGION_CODE.fullmatch(item):
            raise ValueError(f"expected region codes such as eu-west-1, got {_shown(item)}")
    return items


def _account_list(v: Any) -> tuple[str, ...]:
    items = _str_list(v)
    for item in items:
        if not ACCOUNT_ID.fullmatch(item):
            raise ValueError(f"expected 12-digit AWS account ids, got {_shown(item)}")
    return items


def _bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if not isinstance(v, str):
        raise ValueError(f"expected true or false, got {_shown(v)}")
    text = v.strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {_shown(v)}")


def _dir_path(v: Any) -> Path:
    if not isinstance(v, str):
        raise ValueError(f"expected a directory path, got {_shown(v)}")
    text = v.strip()
    if not text or not text.isprintable():
        raise ValueError(f"expected a directory path, got {_shown(v)}")
    return Path(text).expanduser()


def _file_path(v: Any) -> Path:
    if not isinstance(v, str) or not v.strip() or not v.strip().isprintable():
        raise ValueError(f"expected a file path, got {_shown(v)}")
    return Path(v.strip()).expanduser()


def _price_file(v: Any) -> Path:
    """A price table that loads (lambdaops.prices): a bad one is a usage error before any AWS call."""
    from lambdaops.prices import load_prices

    path = _file_path(v)
    load_prices(path)  # PriceTableError is a ValueError naming what is wrong
    return path


def _osv_db(v: Any) -> Path | None:
    """audit-code's local OSV export: it must exist (a directory of records or the per-ecosystem
    all.zip files); an empty value means none (OSV's API), so the environment can undo the file."""
    if isinstance(v, Path):
        v = str(v)
    if isinstance(v, str) and not v.strip():
        return None
    path = _file_path(v)
    if not path.exists():
        raise ValueError(f"{path}: no such file or directory (an OSV export: a directory or zip)")
    return path


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _osv_url(v: Any) -> str | None:
    """OSV's API base URL: https, or plain http only on this machine (a local mirror); empty: the
    default (https://api.osv.dev)."""
    from urllib.parse import urlsplit

    text = _opt_str(v)
    if text is None:
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    secure = parts is not None and parts.scheme == "https" and bool(host)
    local = parts is not None and parts.scheme == "http" and host in LOOPBACK
    if not (secure or local) or parts is None or parts.query or parts.fragment:
        raise ValueError(
            f"{text!r} is not an https:// URL (plain http:// only on 127.0.0.1 or localhost, a local mirror)"
        )
    return text.rstrip("/")


def _opt_str(v: Any) -> str | None:
    if not isinstance(v, str):
        raise ValueError(f"expected a string, got {_shown(v)}")
    if not v.isprintable():  # control, bidi and zero-width characters: never part of a name
        raise ValueError("expected a single-line string without control or invisible characters")
    text = v.strip()
    return text or None


KEYS: dict[str, tuple[str, Any]] = {
    "profile": ("profile", _opt_str),
    "regions": ("regions", _region_list),
    "all_regions": ("all_regions", _bool),
    "fail_on": ("fail_on", parse_fail_on),
    "workers": ("workers", _int_range(1, 64)),
    "days": ("days", _int_range(1, MAX_DAYS)),
    "concurrency_days": ("concurrency_days", _int_range(1, MAX_DAYS)),
    "concurrency_floor": ("concurrency_floor", _int_range(0, 100_000)),
    "peak_warn_percent": ("peak_warn_percent", _percent),
    "peak_high_percent": ("peak_high_percent", _percent),
    "reservation_unused_ratio": ("reservation_unused_ratio", _positive_float),
    "keep_versions": ("keep_versions", _int_range(0, 10_000)),
    "runtime_warn_days": ("runtime_warn_days", _int_range(0, 3650)),
    "code_storage_warn_percent": ("code_storage_warn_percent", _percent),
    "strict": ("strict", _bool),
    "connect_timeout": ("connect_timeout", _seconds(0.1, 300)),
    "read_timeout": ("read_timeout", _seconds(0.1, 900)),
    "max_rps": ("max_rps", parse_max_rps),
    "cache": ("cache", _bool),
    "cache_dir": ("cache_dir", _dir_path),
    "accounts": ("accounts", _account_list),
    "exclude_accounts": ("exclude_accounts", _account_list),
    "trusted_accounts": ("trusted_accounts", _account_list),
    "role_name": ("role_name", _opt_str),
    "external_id": ("external_id", _opt_str),
    "tag_suppressions": ("tag_suppressions", _bool),
    "tag_suppressions_max_severity": ("tag_suppressions_max_severity", _severity),
    "cost_days": ("cost_days", _int_range(1, MAX_DAYS)),
    "price_file": ("price_file", _price_file),
    "provisioned_idle_percent": ("provisioned_idle_percent", _percent),
    "enable_checks": ("enable_checks", _str_list),
    "error_rate_percent": ("error_rate_percent", _percent),
    "error_rate_min_invocations": ("error_rate_min_invocations", _int_range(1, 1_000_000_000)),
    "timeout_near_percent": ("timeout_near_percent", _percent),
    "unused_days": ("unused_days", _int_range(1, UNUSED_DAYS_MAX)),
    "osv_db": ("osv_db", _osv_db),
    "osv_url": ("osv_url", _osv_url),
    "slack_webhook_url": ("slack_webhook_url", _opt_str),
    "teams_webhook_url": ("teams_webhook_url", _opt_str),
    "sns_topic_arn": ("sns_topic_arn", _opt_str),
}
# Why a range is what it is, said with a flag's error.
RANGE_WHY = {
    "days": f"CloudWatch keeps {MAX_DAYS} days",
    "concurrency_days": f"CloudWatch keeps {MAX_DAYS} days",
    "unused_days": f"IAM reports at most {UNUSED_DAYS_MAX} days of use",
}
# The flag that sets a key, where it is not `--` + the key with dashes.
FLAG_NAMES = {"concurrency_floor": "--floor", "concurrency_days": "--days", "regions": "--region"}


def flag_name(key: str) -> str:
    return FLAG_NAMES.get(key, "--" + key.replace("_", "-"))


def validate_flag(key: str, value: Any, flag: str | None = None) -> Any:
    """A flag's value through the same parser as lambdaops.toml and LAMBDAOPS_* (KEYS): the parsed
    value, or exit 2 with one line naming the flag. None (flag not given) stays None."""
    if value is None:
        return None
    _, parser = KEYS[key]
    try:
        return parser(value)
    except ValueError as exc:
        name = flag or flag_name(key)
        bounds = getattr(parser, "bounds", None)
        if bounds is None:
            raise UsageError(f"{name}: {exc}") from None
        why = f" ({RANGE_WHY[key]})" if key in RANGE_WHY else ""
        raise UsageError(f"{name} must be from {bounds[0]} to {bounds[1]}{why}, got {value}") from None


SUPPRESS_KEYS = {"check", "reason", "accounts", "regions", "resource", "expires"}


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^[ \t]*\[*[ \t]*{re.escape(key)}[ \t]*[\]=]", re.MULTILINE)
    m = pattern.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _where(path: Path, line: int | None) -> str:
    return f"{path}:{line}" if line else str(path)


def load_config(
    path: Path | None, explicit: bool
) -> tuple[dict[str, Any], tuple[Suppression, ...], Path | None]:
    """Read and validate a config file. Returns (settings values, suppressions, path read)."""
    if path is None:
        candidate = Path.cwd() / DEFAULT_CONFIG_NAME
        if not candidate.is_file():
            return {}, (), None
        path = candidate
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"config file {path} not found; fix the --config path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read config file {path}: {exc}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: malformed TOML: {exc}; fix the file or pass another --config") from None
    except RecursionError:
        raise UsageError(f"{path}: nested too deeply to read; lambdaops.toml holds flat keys") from None
    values: dict[str, Any] = {}
    suppressions: list[Suppression] = []
    for key, value in raw.items():
        if key == "suppress":
            suppressions.extend(_parse_suppressions(path, text, value))
            continue
        if key not in KEYS:
            known = ", ".join(sorted([*KEYS, "suppress"]))
            raise UsageError(f"{_where(path, _line_of(text, key))}: unknown key {key!r}; known keys: {known}")
        name, parser = KEYS[key]
        try:
            values[name] = parser(value)
        except ValueError as exc:
            raise UsageError(f"{_where(path, _line_of(text, key))}: {key}: {exc}") from None
    _ = explicit
    return values, tuple(suppressions), path


def _parse_suppressions(path: Path, text: str, value: Any) -> list[Suppression]:
    if not isinstance(value, list):
        raise UsageError(f"{_where(path, _line_of(text, 'suppress'))}: use [[suppress]] tables")
    lines = [i + 1 for i, ln in enumerate(text.splitlines()) if ln.strip().startswith("[[suppress]]")]
    out = []
    for i, entry in enumerate(value):
        line = lines[i] if i < len(lines) else None
        where = _where(path, line)
        if not isinstance(entry, dict):
            raise UsageError(f"{where}: a [[suppress]] entry must be a table")
        unknown = set(entry) - SUPPRESS_KEYS
        if unknown:
            raise UsageError(
                f"{where}: unknown key {sorted(unknown)[0]!r} in [[suppress]]; "
                f"known keys: {', '.join(sorted(SUPPRESS_KEYS))}"
            )
        check = entry.get("check")
        if not isinstance(check, str) or not check.strip():
            raise UsageError(f'{where}: [[suppress]] needs check = "<check id or glob>"')
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise UsageError(f'{where}: [[suppress]] for {check!r} needs a reason = "why this is accepted"')
        expires = entry.get("expires")
        if isinstance(expires, datetime):  # a TOML datetime is a date too: only a day is meant
            raise UsageError(f"{where}: expires must be a date YYYY-MM-DD without a time, got {expires}")
        if expires is not None:
            if isinstance(expires, str):
                try:
                    expires = date.fromisoformat(expires)
                except ValueError:
                    raise UsageError(f"{where}: expires must be a date YYYY-MM-DD, got {expires!r}") from None
            elif not isinstance(expires, date):
                raise UsageError(f"{where}: expires must be a date YYYY-MM-DD")
        try:
            accounts = _account_list(entry.get("accounts", []))
            regions = _region_list(entry.get("regions", []))
        except ValueError as exc:
            raise UsageError(f"{where}: {exc}") from None
        resource = entry.get("resource")
        if resource is not None and not isinstance(resource, str):
            raise UsageError(f"{where}: resource must be a string (a name, ARN or glob)")
        out.append(
            Suppression(
                check=check.strip(),
                reason=reason.strip(),
                accounts=accounts,
                regions=regions,
                resource=str(resource) if resource is not None else None,
                expires=expires,
                line=line,
            )
        )
    return out


def env_values(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, (name, parser) in KEYS.items():
        env_key = f"LAMBDAOPS_{key.upper()}"
        if env_key in environ:
            try:
                values[name] = parser(environ[env_key])
            except ValueError as exc:
                raise UsageError(f"{env_key}: {exc}") from None
    return values


def build_settings(
    config_path: Path | None, flags: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> Settings:
    """Merge defaults, config file, environment and flags (flags given as None are unset)."""
    file_values, suppressions, path = load_config(config_path, explicit=config_path is not None)
    merged: dict[str, Any] = {}
    merged.update(file_values)
    merged.update(env_values(os.environ if environ is None else environ))
    for name, value in flags.items():
        if value is None or value == () or value == []:
            continue
        merged[name] = value
    from lambdaops.redact import register_secret

    register_secret(merged.get("external_id"))  # a shared secret with the role's trust policy
    register_secret(merged.get("slack_webhook_url"))  # whoever has a webhook URL can post with it
    register_secret(merged.get("teams_webhook_url"))
    return Settings(suppressions=suppressions, config_path=path, **merged)
