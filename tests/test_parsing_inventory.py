"""The inventory reader: CSV rows, `aws lambda list-functions` JSON, folders of both."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from notifier.core.domain import Function
from notifier.core.errors import InputError
from notifier.parsing.inventory import load_inventory

HEADER = "account_id,region,function_name,runtime"
ARN = "arn:aws:lambda:us-east-1:111122223333:function:orders-api"


def problems(load: Callable[[], object]) -> list[str]:
    with pytest.raises(InputError) as caught:
        load()
    return caught.value.lines()


def csv_file(folder: Path, *lines: str, name: str = "inventory.csv") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def json_file(folder: Path, functions: list[object], name: str = "functions.json") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"Functions": functions}, indent=4), encoding="utf-8")
    return path


def entry(arn: str = ARN, **fields: object) -> dict[str, object | None]:
    """A list-functions entry with the fields that matter (plus noise the reader ignores)."""
    name = arn.split(":")[6] if arn.count(":") >= 6 else None
    found: dict[str, object | None] = {
        "FunctionName": name,
        "FunctionArn": arn,
        "Runtime": "python3.9",
    }
    found.update({"Handler": "app.handler", "PackageType": "Zip", "MemorySize": "128"})
    found.update(fields)
    return {k: v for k, v in found.items() if v is not None}


def test_csv_rows_become_functions_with_built_arns_and_zip_by_default(tmp_path: Path) -> None:
    path = csv_file(tmp_path, HEADER, "111122223333,us-east-1,orders-api,python3.9")
    assert load_inventory([path]) == {
        "111122223333": [
            Function("111122223333", "us-east-1", "orders-api", "python3.9", ARN, "Zip", None)
        ]
    }


def test_csv_optional_columns_are_read(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        HEADER + ",function_arn,package_type,last_modified",
        f"111122223333,us-east-1,orders-api,,{ARN}:prod,Image,2026-01-02T03:04:05.000+0000",
        "111122223333,us-east-1,legacy,,,zip,",
    )
    (orders, legacy) = load_inventory([path])["111122223333"]
    assert orders == Function(
        "111122223333", "us-east-1", "orders-api", None, ARN, "Image",
        "2026-01-02T03:04:05.000+0000",
    )  # fmt: skip
    assert (legacy.runtime, legacy.package_type, legacy.last_modified) == (None, "Zip", None)


def test_csv_values_are_trimmed_and_unknown_runtimes_kept(tmp_path: Path) -> None:
    path = csv_file(tmp_path, HEADER, " 111122223333 , us-east-1 , orders-api , nodejs99.x ")
    (function,) = load_inventory([path])["111122223333"]
    assert (function.arn, function.runtime) == (ARN, "nodejs99.x")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        pytest.param(
            "11112222333,us-east-1,orders-api,python3.9",
            [":2: account_id: expected 12 digits, found '11112222333'"],
            id="bad account id",
        ),
        pytest.param(
            "111122223333,us-east-1a,orders-api,python3.9",
            [":2: region: expected a Region such as us-east-1, found 'us-east-1a'"],
            id="an availability zone is not a Region",
        ),
        pytest.param(
            "111122223333,Virginia,orders-api,python3.9",
            [":2: region: expected a Region such as us-east-1, found 'Virginia'"],
            id="not a Region",
        ),
        pytest.param(
            "111122223333,us-east-1,,python3.9",
            [":2: function_name: expected a function name without ':', found ''"],
            id="empty function name",
        ),
        pytest.param(
            "111122223333,us-east-1,orders-api,python3.9,extra",
            [":2: expected 4 fields like the header, found 5"],
            id="too many fields",
        ),
        pytest.param(
            "1,Virginia,,python3.9",
            [
                ":2: account_id: expected 12 digits, found '1'",
                ":2: region: expected a Region such as us-east-1, found 'Virginia'",
                ":2: function_name: expected a function name without ':', found ''",
            ],
            id="everything wrong in one row",
        ),
    ],
)
def test_a_wrong_csv_row_is_refused_with_file_line_and_column(
    tmp_path: Path, row: str, expected: list[str]
) -> None:
    path = csv_file(tmp_path, HEADER, row)
    assert problems(lambda: load_inventory([path])) == [f"{path}{e}" for e in expected]


@pytest.mark.parametrize(
    ("header", "row", "expected"),
    [
        pytest.param(
            HEADER + ",package_type",
            "111122223333,us-east-1,orders-api,python3.9,Docker",
            ":2: package_type: expected Zip or Image, found 'Docker'",
            id="unknown package type",
        ),
        pytest.param(
            HEADER + ",function_arn",
            "111122223333,us-east-1,orders-api,python3.9,"
            "arn:aws:lambda:us-east-1:111122223333:function:billing",
            ":2: function_arn: expected arn:aws:lambda:us-east-1:111122223333:function:orders-api"
            "[:qualifier], found 'arn:aws:lambda:us-east-1:111122223333:function:billing'",
            id="ARN of another function",
        ),
        pytest.param(
            HEADER + ",colour",
            "111122223333,us-east-1,orders-api,python3.9,blue",
            ":1: colour: unknown column; expected account_id, region, function_name, runtime,"
            " function_arn, package_type, last_modified",
            id="unknown column",
        ),
        pytest.param(
            "account_id,region,function_name",
            "111122223333,us-east-1,orders-api",
            ":1: runtime: missing required column",
            id="missing column",
        ),
    ],
)
def test_wrong_csv_columns_are_refused(
    tmp_path: Path, header: str, row: str, expected: str
) -> None:
    path = csv_file(tmp_path, header, row)
    assert problems(lambda: load_inventory([path])) == [f"{path}{expected}"]


def test_line_numbers_count_blank_lines_and_quoted_line_breaks(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        HEADER + ",last_modified",
        '111122223333,us-east-1,a,python3.9,"two\nlines"',
        "",
        "111122223333,us-east-1,b:c,python3.9,",
    )
    assert problems(lambda: load_inventory([path])) == [
        f"{path}:5: function_name: expected a function name without ':', found 'b:c'"
    ]


def test_list_functions_json_takes_account_and_region_from_the_arn(tmp_path: Path) -> None:
    arn = "arn:aws:lambda:eu-west-1:012345678901:function:thumbnail-resizer"
    path = json_file(tmp_path, [entry(arn, LastModified="2025-05-01T10:00:00.000+0000")])
    assert load_inventory([path]) == {
        "012345678901": [
            Function(
                "012345678901",
                "eu-west-1",
                "thumbnail-resizer",
                "python3.9",
                arn,
                "Zip",
                "2025-05-01T10:00:00.000+0000",
            )
        ]
    }


@pytest.mark.parametrize("qualifier", ["$LATEST", "7", "prod"])
def test_a_qualified_arn_is_reduced_to_the_unqualified_function_arn(
    tmp_path: Path, qualifier: str
) -> None:
    path = json_file(tmp_path, [entry(f"{ARN}:{qualifier}", FunctionName="orders-api")])
    (function,) = load_inventory([path])["111122223333"]
    assert (function.arn, function.name) == (ARN, "orders-api")


def test_a_container_image_function_is_read_without_a_runtime(tmp_path: Path) -> None:
    image = entry(f"{ARN}-image", Runtime=None, Handler=None, PackageType="Image")
    path = json_file(tmp_path, [entry(), image])
    functions = load_inventory([path])["111122223333"]
    assert [(f.name, f.runtime, f.package_type, f.is_zip) for f in functions] == [
        ("orders-api", "python3.9", "Zip", True),
        ("orders-api-image", None, "Image", False),
    ]


@pytest.mark.parametrize(
    ("functions", "expected"),
    [
        pytest.param(
            [entry(), entry("arn:aws:s3:::bucket")],
            ": Functions[1].FunctionArn: expected arn:aws:lambda:REGION:ACCOUNT:function:NAME,"
            " found 'arn:aws:s3:::bucket'",
            id="not a function ARN",
        ),
        pytest.param(
            [entry(FunctionArn=None)],
            ": Functions[0].FunctionArn: expected arn:aws:lambda:REGION:ACCOUNT:function:NAME,"
            " found None",
            id="no ARN",
        ),
        pytest.param(
            [entry("arn:aws:lambda:us-east-1:1111:function:f")],
            ": Functions[0].FunctionArn: expected a 12-digit account id in the ARN, found '1111'",
            id="short account id",
        ),
        pytest.param(
            [entry(FunctionName="billing")],
            ": Functions[0].FunctionName: expected 'orders-api' as in FunctionArn, found 'billing'",
            id="name differs from the ARN",
        ),
        pytest.param(
            [entry(Runtime=39)],
            ": Functions[0].Runtime: expected a string, found 39",
            id="runtime not a string",
        ),
        pytest.param(
            ["orders-api"],
            ": Functions[0]: expected an object describing a function",
            id="not an object",
        ),
    ],
)
def test_a_wrong_list_functions_entry_is_refused_with_its_path(
    tmp_path: Path, functions: list[object], expected: str
) -> None:
    path = json_file(tmp_path, functions)
    assert problems(lambda: load_inventory([path])) == [f"{path}{expected}"]


def test_invalid_json_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "functions.json"
    path.write_text('{\n  "Functions": [\n    {"FunctionName": "a",}\n  ]\n}\n', encoding="utf-8")
    assert problems(lambda: load_inventory([path])) == [
        f"{path}:3: invalid JSON: Expecting property name enclosed in double quotes (column 26)"
    ]


def test_json_that_is_not_list_functions_output_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "functions.json"
    path.write_text('[{"FunctionName": "a"}]', encoding="utf-8")
    assert problems(lambda: load_inventory([path])) == [
        f"{path}: Functions: expected the output of `aws lambda list-functions`: "
        '{"Functions": [...]}'
    ]


def test_the_same_function_seen_again_replaces_the_earlier_one(tmp_path: Path) -> None:
    first = csv_file(tmp_path, HEADER, "111122223333,us-east-1,orders-api,python3.9",
                     "111122223333,us-east-1,billing,python3.9", name="a.csv")  # fmt: skip
    second = json_file(tmp_path, [entry(f"{ARN}:prod", Runtime="python3.13")], name="b.json")
    functions = load_inventory([first, second])["111122223333"]
    assert [(f.name, f.runtime) for f in functions] == [
        ("orders-api", "python3.13"),
        ("billing", "python3.9"),
    ]


def test_a_folder_is_read_recursively_in_sorted_order_skipping_hidden_files(tmp_path: Path) -> None:
    csv_file(tmp_path / "b", HEADER, "111122223333,us-east-1,orders-api,python3.9")
    json_file(tmp_path / "a" / "deep", [entry(Runtime="nodejs18.x")])
    (tmp_path / "README.md").write_text("not inventory", encoding="utf-8")
    (tmp_path / "._inventory.csv").write_bytes(b"\x00\x05\x16\x07 macOS metadata")
    csv_file(tmp_path / ".git", "not,inventory", name="x.csv")
    (function,) = load_inventory([tmp_path])["111122223333"]
    assert function.runtime == "python3.9"  # b/inventory.csv is read after a/deep/functions.json


def test_every_problem_in_every_file_is_reported_at_once(tmp_path: Path) -> None:
    bad_csv = csv_file(
        tmp_path, HEADER, "111122223333,us-east-1,ok,python3.9", "x,us-east-1,a,python3.9",
        "111122223333,mars-1,b,python3.9",
    )  # fmt: skip
    bad_json = json_file(tmp_path, [entry(), 3, entry("arn:aws:lambda:nowhere:1:function:f")])
    missing = tmp_path / "missing.csv"
    assert problems(lambda: load_inventory([bad_csv, bad_json, missing])) == [
        f"{missing}: file not found",
        f"{bad_csv}:3: account_id: expected 12 digits, found 'x'",
        f"{bad_csv}:4: region: expected a Region such as us-east-1, found 'mars-1'",
        f"{bad_json}: Functions[1]: expected an object describing a function",
        f"{bad_json}: Functions[2].FunctionArn: expected a 12-digit account id in the ARN,"
        " found '1'",
        f"{bad_json}: Functions[2].FunctionArn: expected a Region such as us-east-1 in the ARN,"
        " found 'nowhere'",
    ]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        pytest.param(lambda d: d / "nothing-here", ": file not found", id="missing path"),
        pytest.param(lambda d: d, ": no .csv or .json file inside", id="empty folder"),
        pytest.param(
            lambda d: csv_file(d, "x", name="notes.txt"),
            ": expected a .csv or .json file",
            id="other file type",
        ),
    ],
)
def test_paths_that_hold_no_inventory_are_refused(
    tmp_path: Path, make: Callable[[Path], Path], expected: str
) -> None:
    path = make(tmp_path)
    assert problems(lambda: load_inventory([path])) == [f"{path}{expected}"]
