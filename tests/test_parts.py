"""Inventory parts are declared once (lambdaops.parts.Part) and tied together: every part a check
needs has a collector, every collector's needs are filled, and the gather order follows the needs."""

from __future__ import annotations

import pytest

from lambdaops.checks.registry import CheckInfo, all_checks
from lambdaops.collect import gather
from lambdaops.model import Severity
from lambdaops.parts import Part, parse_parts


def filled() -> set[Part]:
    gather.expand_parts(())  # loads every collector
    return set(gather.REGION_COLLECTORS) | set(gather.ACCOUNT_COLLECTORS)


def test_every_part_a_check_needs_is_filled_by_a_collector() -> None:
    parts = filled()
    for info in all_checks().values():
        missing = set(info.needs) - parts
        assert not missing, f"check {info.id} needs {sorted(missing)}, which no collector fills"


def test_every_part_has_one_collector_and_its_needs_are_filled() -> None:
    parts = filled()
    assert parts == set(Part)
    assert not set(gather.REGION_COLLECTORS) & set(gather.ACCOUNT_COLLECTORS)
    for spec in gather.SPECS.values():
        assert spec.needs <= parts and spec.after <= parts


def test_a_check_naming_an_unknown_part_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown inventory parts"):
        CheckInfo(
            id="x-test",
            severity=Severity.LOW,
            title="t",
            remediation="r",
            needs=frozenset({"no_such_part"}),  # type: ignore[arg-type]
            run=lambda inv, settings: [],
            group="scan",
        )
    with pytest.raises(ValueError, match="no_such_part"):
        parse_parts(frozenset({"functions", "no_such_part"}))


def test_needs_are_gathered_with_the_part() -> None:
    assert gather.expand_parts({"function_urls"}) == {
        Part.FUNCTION_URLS,
        Part.RESOURCE_POLICIES,
        Part.FUNCTIONS,
    }
    assert gather.expand_parts({"concurrency"}) == {
        Part.CONCURRENCY,
        Part.FUNCTIONS,
        Part.ACCOUNT_SETTINGS,
    }


def test_region_order_runs_each_part_after_what_it_needs() -> None:
    first, together, then = gather.region_order(gather.expand_parts(set(Part)))
    assert first == [Part.FUNCTIONS]
    assert Part.CONCURRENCY in then and Part.CONCURRENCY not in together
    order = first + together + then
    for part in order:
        spec = gather.SPECS[part]
        for before in spec.needs | spec.after:
            if before in order and not (spec.concurrent and gather.SPECS[before].concurrent):
                assert order.index(before) < order.index(part), (before, part)
    # Account parts are not region parts.
    assert Part.IAM not in order and Part.BILLING not in order
