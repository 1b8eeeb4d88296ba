"""The library's previews: one notice exactly as a run would send it, the gallery of every
sample notice, and the templates check."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from notifier import bootstrap
from notifier.api.base import Base, PathLike, Ready, unheard
from notifier.api.inputs import account_ids
from notifier.core.domain import Calendar, Milestone, Notice, Runtime
from notifier.core.errors import InputError, Problem
from notifier.rendering.gallery import GalleryEntry
from notifier.service import preview as previews
from notifier.service import serving
from notifier.service.compose import Composer
from notifier.service.preview import Preview


@dataclass(frozen=True)
class Gallery:
    """The gallery written: its index page and one entry per sample notice."""

    index: Path
    entries: tuple[GalleryEntry, ...]
    templates: str


@dataclass(frozen=True)
class TemplatesCheck:
    """A templates folder that compiled and rendered every situation."""

    files: int
    cases: int
    templates: str


class Previews(Base):
    def preview(
        self,
        runtime: str,
        milestone: str | Milestone,
        *,
        account: str | None = None,
        as_of: date | None = None,
    ) -> Preview:
        """Render and build one notice as a run would send it: `account`'s real contacts and
        functions from the database, else the sample data beside the templates.

        Example: Notifier().preview("python3.9", "block_create:30").rendered.subject
        """
        cal = self._calendar()
        rt = _runtime(cal, runtime)
        ms = _milestone(milestone, rt)
        if ms not in self._settings.schedule:
            self._note(f"note: {ms} is not in the configured milestones; previewing it anyway")
        notice = self._notice(cal, rt, ms, account, as_of)
        return previews.preview(self._composer(), notice)

    def preview_gallery(
        self, folder: PathLike, *, serve: int | None = None, ready: Ready[Gallery] | None = None
    ) -> Gallery:
        """Write a static site with every sample notice into `folder` (an earlier gallery there
        is replaced; any other non-empty folder is refused). With `serve`, as for
        `health_dashboard`: the port is taken first, then the site is served until Ctrl-C.

        Example: Notifier().preview_gallery("gallery").index
        """
        s, out = self._settings, Path(folder)
        found = previews.load_samples(s.templates_dir, self._calendar(), s.recipients)
        label = previews.templates_label(s.templates_dir)
        with serving.listening(out, serve) as site:
            entries = previews.write_gallery(self._composer(), found, out, label)
            written = Gallery(out / "index.html", tuple(entries), label)
            if site is not None:
                site.serve(lambda url: (ready or unheard)(written, url))
        return written

    def check_templates(self, folder: PathLike | None = None) -> TemplatesCheck:
        """Compile every template and render every sample situation; an InputError lists each
        problem as `template:line: message`. `folder` defaults to the configured templates_dir.

        Example: Notifier().check_templates("my-templates").cases
        """
        s = self._settings
        chosen = Path(folder) if folder is not None else s.templates_dir
        cal = self._calendar()
        report = previews.check_templates(chosen, cal, s.recipients, s.max_functions)
        return TemplatesCheck(report.files, report.cases, previews.templates_label(chosen))

    def _notice(
        self,
        cal: Calendar,
        runtime: Runtime,
        milestone: Milestone,
        account: str | None,
        as_of: date | None,
    ) -> Notice:
        kinds = self._settings.recipients
        if account is not None:
            (wanted,) = account_ids([account]) or [account]
            with self._reading(cal) as st:
                return previews.account_notice(st, cal, wanted, runtime, milestone, kinds, as_of)
        found = previews.load_samples(self._settings.templates_dir, cal, kinds)
        self._note(f"sample data from {found.source} (--account ID shows an account's real data)")
        return previews.sample_notice(found, runtime, milestone, cal, kinds, as_of)

    def _composer(self) -> Composer:
        return bootstrap.composer(self._settings, self._clock)


def _runtime(cal: Calendar, identifier: str) -> Runtime:
    found = cal.get(identifier)
    if found is None:
        close = difflib.get_close_matches(identifier, [r.identifier for r in cal], n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else "; see notifier calendar"
        problem = f"{identifier!r} is not a runtime of the calendar{hint}"
        raise InputError([Problem("runtime", problem)])
    return found


def _milestone(given: str | Milestone, runtime: Runtime) -> Milestone:
    try:
        found = given if isinstance(given, Milestone) else previews.parse_milestone(given)
    except ValueError as error:
        raise InputError([Problem("milestone", str(error))]) from error
    if runtime.phase_date(found.phase) is None:
        problem = f"{runtime.identifier} has no {found.phase.value} date in the calendar"
        raise InputError([Problem("milestone", problem)])
    return found
