"""The calendar reader: what loads, and what the user is told when the file is wrong."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from notifier.core.domain import Calendar
from notifier.core.errors import InputError
from notifier.parsing.calendar import calendar_warnings, load_calendar

ROOT = Path(__file__).resolve().parents[1]
REAL_CALENDAR = ROOT / "data" / "calendar.csv"
REFERENCE = Path("/work/shared/reference/lambda-runtimes.csv")
HEADER = (
    "identifier,name,family,os,deprecation_date,block_create_date,block_update_date,note,sources"
)
PY39 = "python3.9,Python 3.9,python,Amazon Linux 2,2025-12-15,2027-02-01,2027-03-03,,"
PY312 = "python3.12,Python 3.12,python,Amazon Linux 2023,2028-10-31,2028-11-30,2029-01-10,,"


def problems(load: Callable[[], object]) -> list[str]:
    with pytest.raises(InputError) as caught:
        load()
    return caught.value.lines()


def write(tmp_path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "calendar.csv"
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(
            [HEADER, "python3.9,Python 3.9,python,,2025-13-15,,,,"],
            [":2: deprecation_date: expected a real date as YYYY-MM-DD, found '2025-13-15'"],
            id="impossible date",
        ),
        pytest.param(
            [HEADER, "python3.9,Python 3.9,python,,15/12/2025,,,,"],
            [":2: deprecation_date: expected a date as YYYY-MM-DD, found '15/12/2025'"],
            id="date in another format",
        ),
        pytest.param(
            [HEADER, PY39, PY312, PY39],
            [":4: identifier: duplicate identifier 'python3.9'; first on line 2"],
            id="duplicate identifier",
        ),
        pytest.param(
            [HEADER, ",Python 3.9,python,,2025-12-15,,,,"],
            [":2: identifier: expected a value for identifier"],
            id="empty identifier",
        ),
        pytest.param(
            [HEADER.replace(",block_update_date", ""), PY39.rsplit(",", 3)[0] + ",,"],
            [":1: block_update_date: missing required column"],
            id="missing column",
        ),
        pytest.param(
            [HEADER + ",colour", PY39 + ",blue"],
            [
                ":1: colour: unknown column; expected identifier, name, family, deprecation_date,"
                " block_create_date, block_update_date, os, note, sources"
            ],
            id="unknown column",
        ),
        pytest.param(
            [HEADER, PY39 + ",extra"],
            [":2: expected 9 fields like the header, found 10"],
            id="row longer than the header",
        ),
    ],
)
def test_a_wrong_calendar_is_refused_with_file_line_and_column(
    tmp_path: Path, lines: list[str], expected: list[str]
) -> None:
    path = write(tmp_path, *lines)
    assert problems(lambda: load_calendar(path)) == [f"{path}{e}" for e in expected]


def test_every_problem_in_the_calendar_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + ",colour",
        PY39 + ",",
        "python3.10,Python 3.10,python,,2026-10-31,2027-02-31,,,,",
        PY39 + ",",
        ",,python,,,,,,,",
    )
    assert problems(lambda: load_calendar(path)) == [
        f"{path}:1: colour: unknown column; expected identifier, name, family, deprecation_date,"
        " block_create_date, block_update_date, os, note, sources",
        f"{path}:3: block_create_date: expected a real date as YYYY-MM-DD, found '2027-02-31'",
        f"{path}:4: identifier: duplicate identifier 'python3.9'; first on line 2",
        f"{path}:5: identifier: expected a value for identifier",
        f"{path}:5: name: expected a value for name",
    ]


def test_a_missing_calendar_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    assert problems(lambda: load_calendar(path)) == [f"{path}: file not found"]


def test_unannounced_dates_and_absent_optional_columns_load_as_empty(tmp_path: Path) -> None:
    header = "identifier,name,family,deprecation_date,block_create_date,block_update_date"
    path = write(tmp_path, header, "nodejs26.x,Node.js 26,nodejs,,,")
    runtime = load_calendar(path).runtimes["nodejs26.x"]
    assert (runtime.deprecation, runtime.block_create, runtime.block_update) == (None, None, None)
    assert (runtime.os, runtime.note, runtime.sources) == ("", "", "")


def test_a_byte_order_mark_blank_lines_and_padding_are_tolerated(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, "", " python3.9 , Python 3.9 ,python,, 2025-12-15 ,,,,", "",
                 encoding="utf-8-sig")  # fmt: skip
    runtime = load_calendar(path).runtimes["python3.9"]
    assert (runtime.name, runtime.deprecation) == ("Python 3.9", date(2025, 12, 15))


def test_out_of_order_dates_load_and_are_listed_as_warnings(tmp_path: Path) -> None:
    path = write(
        tmp_path, HEADER, "nodejs8.10,Node.js 8.10,nodejs,,2020-03-06,2020-02-04,2020-03-06,,"
    )
    assert calendar_warnings(load_calendar(path)) == [
        "nodejs8.10: block_create 2020-02-04 is before deprecation 2020-03-06"
    ]


def real_calendar() -> Calendar:
    return load_calendar(REAL_CALENDAR)


def test_the_real_calendar_loads_every_row_in_file_order() -> None:
    lines = REAL_CALENDAR.read_text(encoding="utf-8").splitlines()[1:]
    identifiers = [line.split(",", 1)[0] for line in lines if line]
    assert list(real_calendar().runtimes) == identifiers
    assert len(identifiers) > 50


def test_the_real_calendars_warnings_name_the_historic_out_of_order_runtimes() -> None:
    assert calendar_warnings(real_calendar()) == [
        "nodejs8.10: block_create 2020-02-04 is before deprecation 2020-03-06",
        "nodejs6.10: block_create 2019-07-12 is before deprecation 2019-08-12",
        "nodejs4.3: block_create 2020-02-03 is before deprecation 2020-03-05",
        "nodejs4.3-edge: block_create 2019-03-31 is before deprecation 2020-03-05",
        "nodejs4.3-edge: block_update 2019-04-30 is before deprecation 2020-03-05",
        "dotnetcore2.0: block_create 2019-04-30 is before deprecation 2019-05-30",
    ]


@pytest.mark.skipif(not REFERENCE.exists(), reason="the shared reference calendar is not here")
def test_the_bundled_calendar_is_the_reference_calendar() -> None:
    assert REAL_CALENDAR.read_bytes() == REFERENCE.read_bytes()


AS_OF = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("runtime", "as_of", "successor"),
    [
        ("python3.9", AS_OF, "python3.14"),
        ("python3.8", AS_OF, "python3.14"),
        ("python3.14", AS_OF, None),  # nothing newer
        ("python3.13", AS_OF, "python3.14"),  # same dates: the higher version
        ("python3.9", date(2029, 7, 1), None),  # every python deprecated by then
        ("nodejs18.x", AS_OF, "nodejs24.x"),  # nodejs26.x is a preview
        ("nodejs20.x", date(2028, 6, 1), None),
        ("dotnet8", AS_OF, "dotnet10"),  # dotnet9 is container-only
        ("dotnet6", AS_OF, "dotnet10"),
        ("ruby3.2", AS_OF, "ruby4.0"),
        ("ruby4.0", AS_OF, None),
        ("provided.al2", AS_OF, "provided.al2023"),
        ("provided", AS_OF, "provided.al2023"),
        ("go1.x", AS_OF, "provided.al2023"),  # Go moves to the OS-only runtime
        ("java21", AS_OF, "java25"),
        ("java8", AS_OF, "java25"),
        ("java8.al2023", AS_OF, "java25"),
        ("java25", AS_OF, None),
    ],
)
def test_successor_on_the_real_calendar(runtime: str, as_of: date, successor: str | None) -> None:
    calendar = real_calendar()
    current = calendar.get(runtime)
    assert current is not None
    found = calendar.successor(current, as_of)
    assert (found.identifier if found else None) == successor
