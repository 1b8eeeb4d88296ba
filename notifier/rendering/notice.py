"""NoticeRenderer: a notice in, its subject, text and HTML bodies and Health description out."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import css_inline
import jinja2

from notifier.config.settings import MAX_FUNCTIONS
from notifier.core.domain import Notice
from notifier.core.errors import InputError, Problem
from notifier.rendering import context
from notifier.rendering.environment import Phrases, build_environment, load_templates
from notifier.rendering.listing import WithFunctionList
from notifier.rendering.types import RenderedNotice

VARIANTS = context.VARIANTS
WORDING = "partials/wording.txt"
KINDS = ("subject", "text", "html", "health")
PART_NAMES = {
    "subject": "the subject",
    "text": "the text body",
    "html": "the HTML body",
    "health": "the health event description",
}


def candidates(variant: str, kind: str) -> list[str]:
    """Template names for one part of a situation, the first that exists wins."""
    return {
        "subject": [f"{variant}/subject.txt"],
        "text": [f"{variant}/body.txt"],
        "html": [f"{variant}/body.html"],
        "health": [f"{variant}/health.txt", "layout/health.txt"],
    }[kind]


def make_inliner() -> css_inline.CSSInliner:
    """Inlines <style> blocks into style="" attributes, keeping only @media and other at-rules
    in a <style> block (they cannot be inlined); never fetches a remote stylesheet."""
    return css_inline.CSSInliner(
        keep_style_tags=False, keep_at_rules=True, load_remote_stylesheets=False
    )


@dataclass(frozen=True)
class _Set:
    """The four compiled templates of one situation."""

    subject: jinja2.Template
    text: jinja2.Template
    html: jinja2.Template
    health: jinja2.Template


class NoticeRenderer:
    """Compiles the templates once, at construction; `render` only fills them in.

    `templates_dir` holds the user's templates: a file there replaces the bundled file of the same
    relative name (e.g. `deprecated/body.html` or `layout/body.txt`); others fall back.
    """

    def __init__(
        self, templates_dir: Path | None = None, max_functions: int = MAX_FUNCTIONS
    ) -> None:
        if max_functions < 0:
            raise ValueError("max_functions must be 0 or more")
        self.max_functions = max_functions
        env = build_environment(templates_dir)
        slots = {f"{v}/{k}": candidates(v, k) for v in VARIANTS for k in KINDS}
        loaded = load_templates(env, {**slots, "say": [WORDING]})
        self._wording: jinja2.Template = loaded["say"]
        self._sets = {v: _Set(*(loaded[f"{v}/{k}"] for k in KINDS)) for v in VARIANTS}
        self._inliner = make_inliner()

    def variant(self, notice: Notice) -> str:
        """The situation's name, one of VARIANTS; also the template folder's name."""
        return context.variant(notice)

    def render(self, notice: Notice) -> RenderedNotice:
        """The four parts; a `WithFunctionList` that names the CSV file to attach when the body
        lists only part of the functions."""
        values = context.build_context(notice, self.max_functions)
        templates = self._sets[values["variant"]]
        values["say"] = phrases(self._wording, values)
        subject = context.one_line(fill(templates.subject, values))
        if not subject:
            raise InputError([Problem(where(templates.subject), "expected a non-empty subject")])
        values["subject"] = subject
        listed: context.AttachmentView | None = values["attachment"]
        return WithFunctionList(
            subject=subject,
            text=fill(templates.text, values),
            html=self._inliner.inline(fill(templates.html, values)),
            health_description=fill(templates.health, _absolute(self._wording, values)).strip(),
            list_filename=listed.filename if listed else "",
        )


def _absolute(wording: jinja2.Template, values: dict[str, Any]) -> dict[str, Any]:
    """The values for stored text: absolute dates only, as the text outlives its day."""
    fixed = {**values, "absolute": True}
    return {**fixed, "say": phrases(wording, fixed)}


def phrases(wording: jinja2.Template, values: dict[str, Any]) -> Phrases:
    """`say` for the templates; a mistake in the wording file becomes an InputError."""
    try:
        return Phrases(wording, values)
    except jinja2.TemplateError as error:
        raise failed(wording, error) from error


def fill(template: jinja2.Template, values: dict[str, Any]) -> str:
    """Render; a template's mistake (unknown name, unsafe call) becomes an InputError that names
    the file and line where it happened."""
    try:
        return template.render(values)
    except Exception as error:  # a user template can raise anything (1/0, a bad filter call)
        raise failed(template, error) from error


def failed(template: jinja2.Template, error: Exception) -> InputError:
    source, line = location(template, error)
    return InputError([Problem(source, f"template failed: {error}", line=line)])


def location(template: jinja2.Template, error: BaseException) -> tuple[str, int | None]:
    """The template file and line where `error` was raised: Jinja rewrites tracebacks so that
    template frames carry the template's file name and line; the innermost one wins."""
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        return error.filename, error.lineno
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.endswith((".txt", ".html")):
            return frame.filename, frame.lineno
    return where(template), None


def where(template: jinja2.Template) -> str:
    return template.filename or template.name or "template"
