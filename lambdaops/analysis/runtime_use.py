"""Which runtimes a function runs: its $LATEST and the published versions still in use.

A function's `$LATEST` is judged on its runtime; so is every published version that an alias, an
alias's routing or provisioned concurrency still uses when that version runs a different runtime
(a version keeps the runtime it was published with). Container images are skipped: their runtime
lives in the image, not in Lambda.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from lambdaops.runtime_versions import versions_in_use
from lambdaops.runtimes import RuntimeInfo, RuntimeState, reference_day, runtime_status, table_warning

if TYPE_CHECKING:
    from lambdaops.inventory import FunctionInfo, Inventory
    from lambdaops.settings import Settings


@dataclass(frozen=True)
class RuntimeSubject:
    """One runtime in use: a function's $LATEST (version None) or a published version in use."""

    fn: FunctionInfo
    runtime: str
    version: str | None = None
    used_by: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if self.version is None:
            return self.fn.name
        return f"{self.fn.name} version {self.version} ({', '.join(self.used_by)})"

    def latest_note(self) -> str:
        """For a version: where $LATEST stands, so the reader sees that only the version lags."""
        if self.version is None:
            return ""
        return f"; $LATEST is on {self.fn.runtime}" if self.fn.runtime else ""

    @property
    def detail(self) -> str:
        """A version's findings keep the function's ARN (tags and suppressions apply), told apart by this."""
        return "" if self.version is None else f"version:{self.version}"

    def evidence(self) -> dict[str, object]:
        """What a version's findings add to their evidence (nothing for $LATEST)."""
        if self.version is None:
            return {}
        return {"version": self.version, "used_by": list(self.used_by)}


def runtime_subjects(inventory: Inventory) -> Iterator[RuntimeSubject]:
    for fn in inventory.all_functions():
        if fn.runtime is not None:
            yield RuntimeSubject(fn, fn.runtime)
        used = versions_in_use(inventory, fn)
        if not used:
            continue
        for v in inventory.versions.get(fn.arn, []):
            if v.version in used and v.runtime is not None and v.runtime != fn.runtime:
                yield RuntimeSubject(fn, v.runtime, v.version, tuple(used[v.version]))


def subjects_in_state(
    inventory: Inventory, settings: Settings, wanted: RuntimeState
) -> Iterator[tuple[RuntimeSubject, RuntimeInfo | None, date]]:
    today = reference_day(inventory.now)
    for subject in runtime_subjects(inventory):
        state, info = runtime_status(subject.runtime, today, settings.runtime_warn_days)
        if state is wanted:
            yield subject, info, today


RUNTIME_CHECKS = frozenset(
    {"lambda-deprecated-runtime", "lambda-runtime-deprecating-soon", "lambda-runtime-unknown"}
)


def runtime_table_warnings(check_ids: Iterable[str], now: datetime | None) -> list[str]:
    """The stale-table warning, for a run that judged runtimes with a table over 120 days old (the
    scan report adds it when one of the runtime checks ran)."""
    if not RUNTIME_CHECKS & set(check_ids):
        return []
    warning = table_warning(reference_day(now))
    return [warning] if warning else []
