"""The packaged runtime schedule and runtime_status boundaries."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta, timezone
from importlib import resources

import pytest

from lambdaops.runtimes import (
    RuntimeState,
    load_table,
    parse_table,
    reference_day,
    runtime_info,
    runtime_status,
    table_age_days,
)

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Runtimes a real account can still carry: every one must be in the table, deprecated ones included.
EXPECTED = [
    "nodejs",
    "nodejs4.3",
    "nodejs4.3-edge",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "nodejs18.x",
    "nodejs20.x",
    "nodejs22.x",
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "java8",
    "java8.al2",
    "java11",
    "java17",
    "java21",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet6",
    "dotnet8",
    "ruby2.5",
    "ruby2.7",
    "ruby3.2",
    "ruby3.3",
    "go1.x",
    "provided",
    "provided.al2",
    "provided.al2023",
]


def raw_table() -> dict[str, object]:
    text = resources.files("lambdaops").joinpath("data/runtimes.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert isinstance(data, dict)
    return data


def test_data_file_is_dated_and_sourced() -> None:
    data = raw_table()
    assert ISO_DAY.match(str(data["as_of"]))
    assert ISO_DAY.match(str(data["checked"]))
    assert date.fromisoformat(str(data["as_of"])) <= date.fromisoformat(str(data["checked"]))
    assert str(data["source"]).startswith("https://docs.aws.amazon.com/lambda/")
    table = load_table()
    assert table.as_of == date.fromisoformat(str(data["as_of"]))


def test_every_date_is_iso_or_null() -> None:
    runtimes = raw_table()["runtimes"]
    assert isinstance(runtimes, dict)
    for ident, row in runtimes.items():
        assert set(row) - {"note"} == {
            "name",
            "deprecation_date",
            "block_function_create",
            "block_function_update",
            "successor",
            "sources",
        }, ident
        if row["deprecation_date"] is None:
            # only preview runtimes have no date: AWS lists them as "Not scheduled"
            assert "(preview)" in row["name"] and row["successor"] is None, ident
        else:
            assert ISO_DAY.match(row["deprecation_date"]), ident
        for key in ("block_function_create", "block_function_update"):
            assert row[key] is None or ISO_DAY.match(row[key]), (ident, key)


def test_every_row_says_where_its_dates_come_from() -> None:
    data = raw_table()
    sources = data["sources"]
    assert isinstance(sources, dict) and sources
    for ident, row in data["runtimes"].items():
        assert row["sources"] and set(row["sources"]) <= set(sources), ident
        # a row backed by fewer than two independent dated sources explains itself
        if len(set(row["sources"]) & {"aws-docs", "cfn-lint", "endoflife.date"}) < 2:
            assert row.get("note"), ident


def test_newer_runtimes_from_the_aws_page_are_known() -> None:
    for ident in ("java8.al2023", "java11.al2023", "java17.al2023"):
        info = runtime_info(ident)
        assert info is not None, ident
        assert info.deprecation_date == date(2029, 6, 30)
        assert info.block_update_date == date(2029, 8, 31)
        assert info.successor == "java25"
    for ident in ("nodejs26.x", "python3.15"):  # previews: known, no dates, never a successor
        info = runtime_info(ident)
        assert info is not None and info.deprecation_date is None, ident
        assert all(i.successor != ident for i in load_table().runtimes.values())
    state, _ = runtime_status("java17.al2023", date(2026, 12, 6), 90)
    assert state is RuntimeState.SUPPORTED


def test_stale_table_warns_after_120_days() -> None:
    from lambdaops.runtimes import STALE_AFTER_DAYS, table_warning

    as_of = load_table().as_of
    assert STALE_AFTER_DAYS == 120
    assert table_warning(as_of + timedelta(days=120)) is None
    text = table_warning(as_of + timedelta(days=121))
    assert text is not None and as_of.isoformat() in text and "121 days" in text
    assert "update lambdaops" in text


@pytest.mark.parametrize("ident", EXPECTED)
def test_known_runtimes_are_present(ident: str) -> None:
    info = runtime_info(ident)
    assert info is not None, f"{ident} missing from runtimes.json"
    assert info.deprecation_date is not None


def test_long_dead_runtimes_are_deprecated() -> None:
    for ident in ("nodejs6.10", "python2.7", "dotnetcore2.1", "ruby2.5", "go1.x", "java8"):
        state, info = runtime_status(ident, date(2026, 11, 27), 90)
        assert state is RuntimeState.DEPRECATED, ident
        assert info is not None and info.block_update_date is not None


def test_block_update_never_precedes_block_create() -> None:
    for info in load_table().runtimes.values():
        if info.block_create_date and info.block_update_date:
            assert info.block_create_date <= info.block_update_date, info.identifier


def test_successors_are_the_newest_and_outlive_their_predecessors() -> None:
    table = load_table().runtimes
    for info in table.values():
        if info.successor is None:
            continue
        succ = table[info.successor]
        assert succ.successor is None, f"{info.identifier} -> {succ.identifier} is not the newest"
        assert succ.deprecation_date and info.deprecation_date
        assert succ.deprecation_date >= info.deprecation_date, info.identifier
    assert table["go1.x"].successor == "provided.al2023"
    assert table["python2.7"].successor is not None and table["python2.7"].successor.startswith("python3.")


def test_status_boundaries() -> None:
    info = runtime_info("python3.9")
    assert info is not None and info.deprecation_date is not None
    dep = info.deprecation_date
    assert runtime_status("python3.9", dep, 90)[0] is RuntimeState.DEPRECATED  # the day itself
    assert runtime_status("python3.9", dep + timedelta(days=400), 90)[0] is RuntimeState.DEPRECATED
    assert runtime_status("python3.9", dep - timedelta(days=1), 90)[0] is RuntimeState.DEPRECATING_SOON
    assert runtime_status("python3.9", dep - timedelta(days=90), 90)[0] is RuntimeState.DEPRECATING_SOON
    assert runtime_status("python3.9", dep - timedelta(days=91), 90)[0] is RuntimeState.SUPPORTED
    # a zero window never warns ahead of time
    assert runtime_status("python3.9", dep - timedelta(days=1), 0)[0] is RuntimeState.SUPPORTED
    _, got = runtime_status("python3.9", dep, 90)
    assert got == info


def test_unknown_runtime_is_not_assumed_supported() -> None:
    assert runtime_status("nodejs99.x", date(2026, 1, 1), 90) == (RuntimeState.UNKNOWN, None)
    assert runtime_status("", date(2026, 1, 1), 90) == (RuntimeState.UNKNOWN, None)


def test_state_values_are_the_documented_strings() -> None:
    assert [s.value for s in RuntimeState] == ["deprecated", "deprecating-soon", "supported", "unknown"]


def test_table_age_days() -> None:
    as_of = load_table().as_of
    assert table_age_days(as_of) == 0
    assert table_age_days(as_of + timedelta(days=45)) == 45


def test_reference_day() -> None:
    assert reference_day(datetime(2026, 3, 1, 23, 30, tzinfo=UTC)) == date(2026, 3, 1)
    # 23:30 at UTC-5 is already the next day in UTC
    east_coast = timezone(timedelta(hours=-5))
    assert reference_day(datetime(2026, 3, 1, 23, 30, tzinfo=east_coast)) == date(2026, 3, 2)
    assert reference_day(datetime(2026, 3, 1, 12, 0)) == date(2026, 3, 1)
    before = datetime.now(UTC).date()
    got = reference_day(None)
    assert got in {before, datetime.now(UTC).date()}


def test_parse_table_rejects_bad_documents() -> None:
    good = {
        "as_of": "2026-01-01",
        "source": "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
        "runtimes": {"x1": {"name": "X", "deprecation_date": "2027-01-01", "successor": None}},
    }
    assert parse_table(good).runtimes["x1"].block_update_date is None
    with pytest.raises(ValueError, match="as_of"):
        parse_table({**good, "as_of": None})
    with pytest.raises(ValueError, match="source"):
        parse_table({**good, "source": "somewhere"})
    with pytest.raises(ValueError, match="successor"):
        parse_table({**good, "runtimes": {"x1": {"deprecation_date": "2027-01-01", "successor": "x2"}}})
    with pytest.raises(ValueError):
        parse_table({**good, "runtimes": {"x1": {"deprecation_date": "01/01/2027"}}})
    with pytest.raises(ValueError, match="deprecation_date"):
        parse_table({**good, "runtimes": {"x1": {"deprecation_date": 20270101}}})
