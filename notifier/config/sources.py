"""Where values come from, lowest first: the config file, `NOTIFIER_*` variables, overrides
given from Python. Each gives dotted keys; the variables and overrides say which keys they set."""

from __future__ import annotations

import difflib
import logging
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from notifier.config.keys import ENV_KEYS, OTHER_VARIABLES
from notifier.core.errors import ConfigError, Problem

CONFIG_FILE = "notifier.toml"
PREFIX = "NOTIFIER_"
OVERRIDES = "overrides"
TABLE_VALUES = ("milestones",)  # keys whose value is a table, not a section of keys

log = logging.getLogger("notifier.config")


def config_file(path: Path | None, env: Mapping[str, str]) -> Path | None:
    """The file given, else $NOTIFIER_CONFIG, else ./notifier.toml if present."""
    if path is not None:
        return path
    if env.get("NOTIFIER_CONFIG"):
        return Path(env["NOTIFIER_CONFIG"])
    return Path(CONFIG_FILE) if Path(CONFIG_FILE).is_file() else None


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError([Problem(str(path), "config file not found")]) from exc
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(found.group(1)) if found else None
        message = re.sub(r" \(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError([Problem(str(path), f"invalid TOML: {message}", line=line)]) from exc


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """`{"smtp": {"port": 25}}` as `{"smtp.port": 25}`; a dotted key stays as it is."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and name not in TABLE_VALUES:
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def from_env(env: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Each key a set variable gives: its value and the variable's name."""
    return {key: (env[var], var) for var, key in ENV_KEYS.items() if env.get(var)}


def from_overrides(overrides: Mapping[str, object]) -> dict[str, tuple[object, str]]:
    """Each key the overrides give (dotted, or nested like the TOML); None leaves a key unset."""
    flat = flatten(overrides)
    return {key: (value, OVERRIDES) for key, value in flat.items() if value is not None}


def warn_unknown_variables(env: Mapping[str, str]) -> None:
    """A `NOTIFIER_*` variable that is no setting is most likely a misspelt one: say so."""
    known = [*ENV_KEYS, *OTHER_VARIABLES]
    for name in sorted(n for n in env if n.startswith(PREFIX) and n not in known):
        near = closest(name.removeprefix(PREFIX), [k.removeprefix(PREFIX) for k in known])
        hint = f"; did you mean {PREFIX}{near}?" if near else ""
        log.warning("%s: not a notifier variable, ignored%s", name, hint)


def unknown_key(key: str, known: Iterable[str]) -> str:
    near = closest(key, known)
    return f"unknown key; did you mean {near!r}?" if near else "unknown key"


def closest(word: str, options: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return found[0] if found else None
