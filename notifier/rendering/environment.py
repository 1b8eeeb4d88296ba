"""The Jinja2 environment of notices: user templates first, the bundled ones behind them."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from notifier.core.errors import InputError, Problem
from notifier.resources import bundled

TEXT_WIDTH = 78
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_UNBREAKABLE = re.compile(r"^[(<\"']?(?:[a-z][a-z0-9+.-]*://|arn:|mailto:)", re.IGNORECASE)


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def long_date(day: date) -> str:
    """'Monday, 1 February 2027': English whatever the locale, no leading zero."""
    return f"{_WEEKDAYS[day.weekday()]}, {day.day} {_MONTHS[day.month - 1]} {day.year}"


def iso_date(day: date) -> str:
    return day.isoformat()


def relative(day: date, as_of: date) -> str:
    """'today', 'tomorrow', 'in 30 days', 'yesterday' or '12 days ago', counted from `as_of`."""
    days = (day - as_of).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return f"in {days} days" if days > 0 else f"{-days} days ago"


@jinja2.pass_context
def _relative_to_as_of(context: jinja2.runtime.Context, day: date) -> str:
    as_of: date = context["as_of"]
    return relative(day, as_of)


def number(count: int) -> str:
    """'5,000': thousands separated by commas, whatever the locale."""
    return f"{count:,}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 function', '5,000 functions'; pass the plural form when adding an 's' is wrong."""
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count:,} {word}"


def pick(count: int, one: str, many: str) -> str:
    """`one` when the count is 1, else `many`: `functions_total|pick("uses", "use")`."""
    return one if count == 1 else many


def upfirst(text: str) -> str:
    """The text with its first character upper-cased and the rest untouched."""
    return text[:1].upper() + text[1:]


def wrap(text: str, indent: str = "", first: str | None = None, width: int = TEXT_WIDTH) -> str:
    """Refill each blank-line separated paragraph to `width` columns; long words stay whole.

    Every line starts with `indent`, except the very first, which starts with `first` if given.
    """
    lead = indent if first is None else first
    room = width - max(len(lead), len(indent))
    lines = _line_pattern(room)
    paragraphs = [_words(p, room) for p in _PARAGRAPH_BREAK.split(text.strip())]
    filled = [f"\n{indent}".join(lines.findall(p)) for p in paragraphs if p]
    return lead + f"\n\n{indent}".join(filled) if filled else ""


def _words(paragraph: str, room: int) -> str:
    """The paragraph's words, one space apart; a word longer than a line is cut in pieces,
    unless it is a URL or an ARN, which stay whole so they can be copied."""
    words = paragraph.split()
    if room < 1 or max(map(len, words), default=0) <= room:
        return " ".join(words)
    return " ".join(w if len(w) <= room or _UNBREAKABLE.match(w) else _cut(w, room) for w in words)


def _cut(word: str, room: int) -> str:
    return " ".join(word[i : i + room] for i in range(0, len(word), room))


@functools.cache
def _line_pattern(width: int) -> re.Pattern[str]:
    """One line: up to `width` characters ending at a space, or one longer unbreakable word."""
    return re.compile(rf"(.{{1,{max(width, 1)}}}|\S+)(?: |$)")


FILTERS: Mapping[str, Any] = {
    "longdate": long_date,
    "isodate": iso_date,
    "relative": _relative_to_as_of,
    "plural": plural,
    "pick": pick,
    "number": number,
    "wrap": wrap,
    "upfirst": upfirst,
}


class Phrases:
    """A text template's macros for any template: `say.change("deprecation")` returns a `str`.

    Called through this object the macros get no evaluation context, so an HTML template escapes
    what they return; a direct `{% import %}` of a .txt file from HTML would instead mark the
    unescaped text as safe markup.
    """

    def __init__(self, template: jinja2.Template, values: Mapping[str, Any]) -> None:
        self._module = template.make_module(dict(values))

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._module, name)
        if not isinstance(found, jinja2.runtime.Macro):
            return found  # a value the file sets, such as a table of titles

        def call(*args: Any, **kwargs: Any) -> str:
            return str.__str__(found(*args, **kwargs))

        return call


def template_dirs(templates_dir: Path | None) -> list[Path]:
    """The search path: the user's folder (when given) before the bundled templates."""
    builtin = bundled("templates")
    return [builtin] if templates_dir is None else [templates_dir, builtin]


def build_environment(templates_dir: Path | None = None) -> jinja2.Environment:
    """One environment per renderer, sandboxed when user templates are in play.

    The sandbox checks every attribute access and call, which cost a third of the rendering
    speed when measured (about 900 notices/s unsandboxed, 600/s sandboxed), so the bundled
    templates alone (trusted, shipped with the code) run unsandboxed.
    """
    if templates_dir is not None and not templates_dir.is_dir():
        raise InputError([Problem(str(templates_dir), "expected a folder of templates")])
    kind = jinja2.Environment if templates_dir is None else SandboxedEnvironment
    env = kind(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(templates_dir)]),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html",), default_for_string=False, default=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,
    )
    env.filters.update(FILTERS)
    return env


def load_templates(
    env: jinja2.Environment, names: Mapping[str, list[str]]
) -> dict[str, jinja2.Template]:
    """Compile every template a renderer needs now, so errors surface at start-up, all at once.

    `names` maps a slot to candidate names, the first that exists wins. Templates that these
    extend, include or import are compiled too (and cached), by compiling everything listed.
    """
    problems: list[Problem] = []
    for name in env.list_templates(extensions=("txt", "html")):
        _compile(env, name, problems)
    chosen: dict[str, jinja2.Template] = {}
    for slot, candidates in names.items():
        try:
            chosen[slot] = env.select_template(candidates)
        except jinja2.TemplateError as error:
            problems.append(Problem(" | ".join(candidates), f"expected a template: {error}"))
    if problems:
        raise InputError(problems)
    return chosen


def _compile(env: jinja2.Environment, name: str, problems: list[Problem]) -> None:
    try:
        env.get_template(name)
    except jinja2.TemplateSyntaxError as error:
        source = error.filename or name
        problems.append(Problem(source, f"template syntax: {error.message}", line=error.lineno))
    except UnicodeDecodeError as error:
        problems.append(Problem(name, f"expected UTF-8 text: {error.reason}"))
