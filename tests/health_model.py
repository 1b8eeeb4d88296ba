"""Checks a JSON answer against AWS Health's own service model, as botocore ships it:
members exist, types match, enum values are allowed (botocore's validator skips enums)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import botocore.loaders
import botocore.model


def service_model() -> botocore.model.ServiceModel:
    loader = botocore.loaders.Loader()
    return botocore.model.ServiceModel(loader.load_service_model("health", "service-2"))


def output_problems(operation: str, answer: Any) -> list[str]:
    shape = service_model().operation_model(operation).output_shape
    assert shape is not None
    return _check(shape, answer, operation)


def _check(shape: botocore.model.Shape, value: Any, path: str) -> list[str]:
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape, value, path)
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {value!r}"]
        member = shape.member  # type: ignore[attr-defined]
        return [p for i, item in enumerate(value) for p in _check(member, item, f"{path}[{i}]")]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected a map, got {value!r}"]
        key, item = shape.key, shape.value  # type: ignore[attr-defined]
        return [
            p
            for k, v in value.items()
            for p in _check(key, k, f"{path}.<key>") + _check(item, v, f"{path}.{k}")
        ]
    return _scalar(shape, value, path)


def _structure(shape: botocore.model.Shape, value: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: expected an object, got {value!r}"]
    members = shape.members  # type: ignore[attr-defined]
    problems = [
        f"{path}.{name}: not a member of {shape.name}" for name in value if name not in members
    ]
    problems += [f"{path}.{name}: required" for name in shape.required_members if name not in value]
    for name, item in value.items():
        if name in members:
            problems += _check(members[name], item, f"{path}.{name}")
    return problems


def _scalar(shape: botocore.model.Shape, value: Any, path: str) -> list[str]:
    kind = shape.type_name
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string, got {value!r}"]
        enum = shape.enum  # type: ignore[attr-defined]
        if enum and value not in enum:
            return [f"{path}: {value!r} is not one of {enum}"]
        return []
    if kind == "timestamp":
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except (AttributeError, ValueError):
            return [f"{path}: expected an ISO 8601 timestamp, got {value!r}"]
        return []
    if kind in ("integer", "long"):
        return [] if isinstance(value, int) and not isinstance(value, bool) else [f"{path}: int"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected a boolean"]
    return [f"{path}: unexpected type {kind}"]
