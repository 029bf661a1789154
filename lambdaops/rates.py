"""``--max-rps``: how much of AWS's API rate quotas a run may use (the pacing: collect/quotas.py).

A core module: settings validates the flag, environment and config value with :func:`parse_max_rps`,
and collect's pacer applies the :class:`RateLimit`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RateLimit:
    """``--max-rps``: either a cap (no bucket faster than ``cap`` requests per second) or a share
    of every quota (``percent`` of AWS's rate), so a run leaves room for deployments."""

    cap: float | None = None
    percent: float | None = None
    # ``off``: no pacing at all. Only for an emulator endpoint (AWS_ENDPOINT_URL: LocalStack, moto),
    # which has no quotas; against AWS the pacing is what keeps deployments from being throttled.
    off: bool = False

    def apply(self, rate: float) -> float:
        if self.percent is not None:
            rate = rate * self.percent / 100.0
        if self.cap is not None:
            rate = min(rate, self.cap)
        return rate

    def __str__(self) -> str:
        if self.off:
            return OFF
        return f"{self.percent:g}%" if self.percent is not None else f"{self.cap:g}"


MIN_RPS = 0.1
OFF = "off"


def parse_max_rps(value: Any) -> RateLimit:
    """``"5"`` or ``5``: at most 5 requests per second per bucket; ``"50%"``: half of each quota;
    ``"off"``: no pacing (an emulator endpoint only: checked where the endpoint is known, collect/scope).

    Raises ValueError naming the expected form (Settings turns it into a one-line usage error).
    """
    expected = "expected requests per second (e.g. 5), a share of each AWS quota (e.g. 50%) or off"
    if isinstance(value, bool):
        raise ValueError(expected)
    text = str(value).strip()
    if text.lower() == OFF:
        return RateLimit(off=True)
    try:
        if text.endswith("%"):
            percent = float(text[:-1])
            if not 1 <= percent <= 100:  # also refuses nan
                raise ValueError
            return RateLimit(percent=percent)
        cap = float(text)
    except ValueError:
        raise ValueError(f"{expected}, got {value!r}") from None
    if not MIN_RPS <= cap <= 10_000:
        raise ValueError(f"{expected}, from {MIN_RPS:g} to 10000, got {value!r}")
    return RateLimit(cap=cap)
