"""The JSON report (CONTRACT.md): one object, keys sorted, stable for the same account state."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from lambdaops.model import Report, iso


def json_default(value: Any) -> Any:
    # evidence is free-form: keep dates, sets and enums readable instead of failing the whole report
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if hasattr(value, "value"):
        return value.value
    return str(value)


def render_json(report: Report) -> str:
    from lambdaops import jsonio

    return jsonio.dumps(report.to_dict(), sort_keys=True, indent=2, default=json_default) + "\n"
