"""Checking a templates folder: compile every file, render every situation from the sample
notices in several shapes (one function, a list too long for the body, no successor, later dates
unannounced, a date reached today or passed), and report each problem once, as
`template:line: message`: syntax errors, undefined variables, unsafe calls, missing or empty
parts, files notifier never reads, HTML bodies too big for mail clients."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import css_inline
import jinja2
from jinja2 import meta

from notifier.config.settings import MAX_FUNCTIONS
from notifier.core.domain import Notice, Phase, function_arn
from notifier.core.errors import InputError, Problem
from notifier.rendering import context
from notifier.rendering.environment import build_environment
from notifier.rendering.notice import (
    KINDS,
    PART_NAMES,
    VARIANTS,
    WORDING,
    candidates,
    location,
    make_inliner,
    phrases,
)
from notifier.rendering.samples import SAMPLES_FILE, SampleSet

HTML_LIMIT = 100_000  # bytes; Gmail clips a message whose HTML is longer than about 102 KB
_Parts = dict[str, jinja2.Template | None]


@dataclass(frozen=True)
class CheckReport:
    files: int
    cases: int
    problems: tuple[Problem, ...]


def check_templates(
    templates_dir: Path | None, samples: SampleSet | None, max_functions: int = MAX_FUNCTIONS
) -> CheckReport:
    """Everything wrong with the templates (the user's folder over the bundled ones, or the
    bundled ones alone), found by compiling and rendering; `samples` None when they did not load."""
    env = build_environment(templates_dir)
    problems: list[Problem] = []
    names = env.list_templates(extensions=("txt", "html"))
    compiled = {n: t for n in names if (t := _compile(env, n, problems)) is not None}
    problems += _unused(templates_dir, env, compiled)
    sets = {v: _parts(env, v, compiled, problems) for v in VARIANTS}
    wording = _find(env, [WORDING], compiled, "the phrases file", problems)
    cases = 0
    if wording is not None and samples is not None:
        inliner = make_inliner()
        for label, notice in _cases(samples, max_functions):
            cases += 1
            _render(label, notice, sets, wording, max_functions, inliner, problems)
        problems += _uncovered(samples)
    return CheckReport(len(names), cases, tuple(_unique(problems)))


def _compile(env: jinja2.Environment, name: str, problems: list[Problem]) -> jinja2.Template | None:
    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as error:
        source = error.filename or name
        problems.append(Problem(source, f"syntax error: {error.message}", line=error.lineno))
    except UnicodeDecodeError as error:
        problems.append(Problem(name, f"expected UTF-8 text: {error.reason}"))
    return None


def _find(
    env: jinja2.Environment,
    names: list[str],
    compiled: dict[str, jinja2.Template],
    what: str,
    problems: list[Problem],
) -> jinja2.Template | None:
    """The first candidate that exists; None when it is broken (reported) or missing (reported)."""
    for name in names:
        if name in compiled:
            return compiled[name]
        if name in env.list_templates():
            return None  # it exists but does not compile: reported already
    problems.append(Problem(names[0], f"missing part: no template for {what}"))
    return None


def _parts(
    env: jinja2.Environment, variant: str, compiled: dict[str, jinja2.Template], out: list[Problem]
) -> _Parts:
    return {
        k: _find(env, candidates(variant, k), compiled, f"{PART_NAMES[k]} of {variant}", out)
        for k in KINDS
    }


def _cases(samples: SampleSet, max_functions: int) -> Iterator[tuple[str, Notice]]:
    for sample in samples.samples:
        label = f"sample {sample.name!r}"
        notice = sample.notice
        yield label, notice
        yield f"{label} with 1 function", replace(notice, functions=notice.functions[:1])
        yield (
            f"{label} with a list cut short",
            replace(notice, functions=_many(notice, max_functions)),
        )
        yield f"{label} without a successor", replace(notice, successor=None)
        yield f"{label} with later dates unannounced", _unannounced(notice)
        if context.is_reached(notice):
            day = context.phase_date(notice)
            yield f"{label} on its date", replace(notice, as_of=day)
            yield f"{label} 12 days after its date", replace(notice, as_of=day + timedelta(12))


def _many(notice: Notice, max_functions: int) -> tuple[str, ...]:
    regions = ["us-east-1", "eu-west-1", "ap-southeast-2"]
    count = max_functions + 25
    account = notice.account.account_id
    return tuple(function_arn(regions[i % 3], account, f"fn-{i:05d}") for i in range(count))


def _unannounced(notice: Notice) -> Notice:
    """The notice with every phase after its own not dated yet."""
    rank, runtime = notice.milestone.phase.rank, notice.runtime
    create = runtime.block_create if rank >= Phase.BLOCK_CREATE.rank else None
    update = runtime.block_update if rank >= Phase.BLOCK_UPDATE.rank else None
    return replace(notice, runtime=replace(runtime, block_create=create, block_update=update))


def _render(
    label: str,
    notice: Notice,
    sets: dict[str, _Parts],
    wording: jinja2.Template,
    max_functions: int,
    inliner: css_inline.CSSInliner,
    problems: list[Problem],
) -> None:
    values = context.build_context(notice, max_functions)
    parts = sets[values["variant"]]
    try:
        values["say"] = phrases(wording, values)
    except InputError as error:
        problems += [replace(p, message=f"{p.message} ({label})") for p in error.problems]
        return
    subject = _fill(parts["subject"], values, label, problems)
    values["subject"] = context.one_line(subject or "") or "[Action required] (no subject)"
    outputs = {"subject": subject}
    for kind in KINDS[1:]:
        outputs[kind] = _fill(parts[kind], values, label, problems)
    for kind, out in outputs.items():
        template = parts[kind]
        if out is not None and template is not None and not out.strip():
            where = template.filename or kind
            problems.append(Problem(where, f"missing part: {PART_NAMES[kind]} renders empty", 1))
    _check_size(outputs["html"], parts["html"], inliner, label, problems)


def _fill(
    template: jinja2.Template | None, values: dict[str, Any], label: str, problems: list[Problem]
) -> str | None:
    if template is None:
        return None
    try:
        return template.render(values)
    except jinja2.TemplateSyntaxError:
        return None  # an included or extended file that does not compile: reported already
    except Exception as error:  # a user template can raise anything; report it, do not crash
        source, line = location(template, error)
        problems.append(Problem(source, f"{_kind(error)}: {error} ({label})", line))
        return None


def _kind(error: Exception) -> str:
    if isinstance(error, jinja2.UndefinedError):
        return "undefined variable"
    if isinstance(error, jinja2.exceptions.SecurityError):
        return "unsafe"
    return "failed"


def _check_size(
    html: str | None,
    template: jinja2.Template | None,
    inliner: css_inline.CSSInliner,
    label: str,
    problems: list[Problem],
) -> None:
    if not html or template is None:
        return
    size = len(inliner.inline(html).encode("utf-8"))
    if size > HTML_LIMIT:
        message = f"too big: the HTML body is {size:,} bytes, over {HTML_LIMIT:,} ({label})"
        problems.append(Problem(template.filename or "body.html", message, 1))


def _uncovered(samples: SampleSet) -> list[Problem]:
    shown = {context.variant(s.notice) for s in samples.samples}
    return [
        Problem(str(samples.source), f"missing part: no sample shows the {v!r} situation")
        for v in VARIANTS
        if v not in shown
    ]


def _unused(
    templates_dir: Path | None, env: jinja2.Environment, compiled: dict[str, jinja2.Template]
) -> list[Problem]:
    """Files in the user's folder that no notice reads: most often a misspelt override."""
    if templates_dir is None:
        return []
    known = {n for v in VARIANTS for k in KINDS for n in candidates(v, k)} | {WORDING}
    known |= _referenced(env, compiled)
    problems = []
    for path in sorted(p for p in templates_dir.rglob("*") if p.is_file()):
        name = path.relative_to(templates_dir).as_posix()
        if name not in known and not _ignored(name):
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            problems.append(Problem(str(path), f"never used: no notice reads this file{hint}"))
    return problems


def _referenced(env: jinja2.Environment, compiled: dict[str, jinja2.Template]) -> set[str]:
    """Templates that others extend, include or import by a fixed name."""
    found: set[str] = set()
    for name in compiled:
        assert env.loader is not None
        source = env.loader.get_source(env, name)[0]
        found |= {r for r in meta.find_referenced_templates(env.parse(source)) if r}
    return found


def _ignored(name: str) -> bool:
    first = name.split("/")[0]
    hidden = any(part.startswith(".") for part in name.split("/"))
    return hidden or first == SAMPLES_FILE.split("/")[0] or name.lower().endswith((".md", ".txt~"))


def _unique(problems: list[Problem]) -> Iterator[Problem]:
    """Each problem once, the first case that showed it naming it."""
    seen: set[tuple[str, int | None, str]] = set()
    for problem in problems:
        key = (problem.source, problem.line, problem.message.split(" (sample ")[0])
        if key not in seen:
            seen.add(key)
            yield problem
