"""Reads what `aws lambda list-functions` prints: {"Functions": [...], "NextMarker"?}.

Account and Region come from each FunctionArn; a qualified ARN is reduced to the unqualified one.
Container-image functions (PackageType "Image") carry no Runtime.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from notifier.core.domain import Function
from notifier.core.errors import Problem
from notifier.parsing.values import PACKAGE_TYPES, Collected, Known, parse_function_arn

_SHAPE = 'expected the output of `aws lambda list-functions`: {"Functions": [...]}'
_STRING_KEYS = ("FunctionName", "Runtime", "PackageType", "LastModified")


def read_list_functions(path: Path, collected: Collected, known: Known) -> list[Problem]:
    """Add the file's functions to `collected`; return every problem found in it."""
    source = str(path)
    try:
        with path.open("r", encoding="utf-8-sig") as handle:
            document = json.load(handle)
    except UnicodeDecodeError as exc:
        return [Problem(source=source, message=f"expected UTF-8 text: {exc.reason}")]
    except json.JSONDecodeError as exc:
        message = f"invalid JSON: {exc.msg} (column {exc.colno})"
        return [Problem(source=source, line=exc.lineno, message=message)]
    except RecursionError:
        return [Problem(source=source, message="invalid JSON: arrays or objects nested too deeply")]
    except ValueError as exc:  # a number of thousands of digits
        return [Problem(source=source, message=f"invalid JSON: {str(exc).split(';')[0]}")]
    items = document.get("Functions") if isinstance(document, dict) else None
    if not isinstance(items, list):
        return [Problem(source=source, field="Functions", message=_SHAPE)]
    problems: list[Problem] = []
    for number, item in enumerate(items):
        function = _function(item, known)
        if function is None:
            where = f"Functions[{number}]"
            found = list(_problems(item, known)) or [("", "could not be read as a function")]
            problems.extend(
                Problem(source=source, field=f"{where}{key}", message=message)
                for key, message in found
            )
        else:
            collected.add(function)
    return problems


def _function(item: object, known: Known) -> Function | None:
    """The entry as a Function, or None when anything is wrong with it (see `_problems`)."""
    if not isinstance(item, dict):
        return None
    given, runtime, package, modified = (item.get(key) for key in _STRING_KEYS)
    arn = item.get("FunctionArn")
    parsed = parse_function_arn(arn) if isinstance(arn, str) else None
    if parsed is None or not all(
        v is None or isinstance(v, str) for v in (given, runtime, package, modified)
    ):
        return None
    unqualified, region, account, name = parsed
    shared_account, shared_region = known.account(account), known.region(region)
    package_type = PACKAGE_TYPES.get((package or "").lower())
    if shared_account is None or shared_region is None or package_type is None:
        return None
    if given is not None and given != name:
        return None
    return Function(
        shared_account, shared_region, name, known.runtime(runtime or ""), unqualified,
        package_type, modified or None,
    )  # fmt: skip


def _problems(item: object, known: Known) -> Iterator[tuple[str, str]]:
    """(field suffix, message) for everything wrong with one entry."""
    if not isinstance(item, dict):
        yield "", "expected an object describing a function"
        return
    for key in _STRING_KEYS:
        if item.get(key) is not None and not isinstance(item[key], str):
            yield f".{key}", f"expected a string, found {item[key]!r}"
    package = item.get("PackageType")
    if isinstance(package, str) and package.lower() not in PACKAGE_TYPES:
        yield ".PackageType", f"expected Zip or Image, found {package!r}"
    yield from _arn_problems(item, known)


def _arn_problems(item: dict[str, object], known: Known) -> Iterator[tuple[str, str]]:
    arn = item.get("FunctionArn")
    parsed = parse_function_arn(arn) if isinstance(arn, str) else None
    if parsed is None:
        yield ".FunctionArn", f"expected arn:aws:lambda:REGION:ACCOUNT:function:NAME, found {arn!r}"
        return
    _, region, account, name = parsed
    if known.account(account) is None:
        yield ".FunctionArn", f"expected a 12-digit account id in the ARN, found {account!r}"
    if known.region(region) is None:
        yield ".FunctionArn", f"expected a Region such as us-east-1 in the ARN, found {region!r}"
    given = item.get("FunctionName")
    if isinstance(given, str) and given != name:
        yield ".FunctionName", f"expected {name!r} as in FunctionArn, found {given!r}"
