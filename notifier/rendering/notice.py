"""NoticeRenderer: a notice in, its subject, text and HTML bodies and Health description out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import css_inline
import jinja2

from notifier.core.domain import Notice
from notifier.core.errors import InputError, Problem
from notifier.rendering import context
from notifier.rendering.environment import Phrases, build_environment, load_templates
from notifier.rendering.types import RenderedNotice

VARIANTS = context.VARIANTS
WORDING = "partials/wording.txt"
_KINDS = ("subject", "text", "html", "health")


def _candidates(variant: str, kind: str) -> list[str]:
    """Template names for one slot, the first that exists wins."""
    return {
        "subject": [f"{variant}/subject.txt"],
        "text": [f"{variant}/body.txt"],
        "html": [f"{variant}/body.html"],
        "health": [f"{variant}/health.txt", "layout/health.txt"],
    }[kind]


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

    def __init__(self, templates_dir: Path | None = None, max_functions: int = 50) -> None:
        if max_functions < 0:
            raise ValueError("max_functions must be 0 or more")
        self.max_functions = max_functions
        env = build_environment(templates_dir)
        slots = {f"{v}/{k}": _candidates(v, k) for v in VARIANTS for k in _KINDS}
        loaded = load_templates(env, {**slots, "say": [WORDING]})
        self._wording: jinja2.Template = loaded["say"]
        self._sets = {v: _Set(*(loaded[f"{v}/{k}"] for k in _KINDS)) for v in VARIANTS}
        self._inliner = css_inline.CSSInliner(
            keep_style_tags=True, keep_at_rules=True, load_remote_stylesheets=False
        )

    def variant(self, notice: Notice) -> str:
        """The situation's name, one of VARIANTS; also the template folder's name."""
        return context.variant(notice)

    def render(self, notice: Notice) -> RenderedNotice:
        values = context.build_context(notice, self.max_functions)
        templates = self._sets[values["variant"]]
        try:
            values["say"] = Phrases(self._wording, values)
        except jinja2.TemplateError as error:
            raise _failed(self._wording, error) from error
        subject = context.one_line(_fill(templates.subject, values))
        if not subject:
            raise InputError([Problem(_where(templates.subject), "expected a non-empty subject")])
        values["subject"] = subject
        return RenderedNotice(
            subject=subject,
            text=_fill(templates.text, values),
            html=self._inliner.inline(_fill(templates.html, values)),
            health_description=_fill(templates.health, values).strip(),
        )


def _fill(template: jinja2.Template, values: dict[str, Any]) -> str:
    """Render; a user template's mistake (unknown name, unsafe call) becomes an InputError."""
    try:
        return template.render(values)
    except jinja2.TemplateError as error:
        raise _failed(template, error) from error


def _failed(template: jinja2.Template, error: jinja2.TemplateError) -> InputError:
    return InputError([Problem(_where(template), f"template failed: {error}")])


def _where(template: jinja2.Template) -> str:
    return template.filename or template.name or "template"
