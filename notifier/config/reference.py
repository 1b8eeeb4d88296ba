"""The README's configuration reference, generated from the table of keys.

    python -m notifier.config.reference                    # print it
    python -m notifier.config.reference --write [README.md]  # rewrite it between the markers

A test fails when README.md differs from what this prints."""

from __future__ import annotations

import sys
from pathlib import Path

from notifier.config.keys import KEYS, OTHER_VARIABLES, Key, Kind

BEGIN = "<!-- settings:begin -->"
END = "<!-- settings:end -->"
NOTE = (
    "<!-- generated from notifier/config/keys.py by "
    "`python -m notifier.config.reference --write`: edit the table there, not here -->"
)


def render() -> str:
    """The block between the markers: one row per key, then the other variables."""
    rows = [
        "| key | variable | default | accepts | meaning |",
        "|---|---|---|---|---|",
        *(_row(key) for key in KEYS),
        "",
        "Other variables:",
        "",
        *(f"- `{name}`: {doc}" for name, doc in OTHER_VARIABLES.items()),
    ]
    return "\n".join([NOTE, *rows])


def _row(key: Key) -> str:
    variable = f"`{key.env}`" if key.env else ""
    cells = [f"`{key.name}`", variable, shown(key), accepts(key), key.doc]
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def shown(key: Key) -> str:
    """The default as TOML would write it; unset when there is none."""
    if key.shown:
        return key.shown
    return "unset" if key.default is None else f"`{_literal(key.default)}`"


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, str | Path):
        return f'"{value}"'
    return str(value)


def accepts(key: Key) -> str:
    """What a value may be: the kind, with its bounds or choices."""
    if key.kind in (Kind.CHOICE, Kind.CHOICES):
        return f"{key.kind.value} " + ", ".join(f"`{choice}`" for choice in key.choices)
    if key.low is None:
        return key.kind.value
    low = int(key.low) if key.kind is Kind.WHOLE else key.low
    upper = f" to {key.high}" if key.high is not None else ""
    return f"{key.kind.value} from {low}{upper}" if upper else f"{key.kind.value} >= {low}"


def replace_block(text: str, block: str) -> str:
    """`text` with what stands between the markers replaced by `block`."""
    head, begin, rest = text.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise ValueError(f"the markers {BEGIN} and {END} are missing")
    return f"{head}{BEGIN}\n{block}\n{END}{tail}"


def main(argv: list[str]) -> int:
    if not argv:
        print(render())
        return 0
    if argv[0] != "--write" or len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    readme = Path(argv[1] if len(argv) > 1 else "README.md")
    text = readme.read_text(encoding="utf-8")
    readme.write_text(replace_block(text, render()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
