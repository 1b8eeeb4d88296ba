"""Previews: a notice rendered and built exactly as a run would send it, for sample data or for
an account's real functions; a static gallery of every sample notice; the templates check."""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from notifier.core.domain import Calendar, Milestone, Notice, Runtime
from notifier.core.errors import InputError, Problem, write_problem
from notifier.core.notices import milestone_notice
from notifier.rendering import check, context, gallery, samples
from notifier.rendering.listing import function_list_csv, list_filename_of
from notifier.rendering.types import RenderedNotice
from notifier.resources import bundled
from notifier.service.compose import Composer
from notifier.service.ports import Inventory, Stores

GALLERY_MARK = ".notifier-gallery"
parse_milestone = samples.parse_milestone
SampleSet = samples.SampleSet
CheckReport = check.CheckReport


@dataclass(frozen=True)
class Preview:
    notice: Notice
    variant: str
    rendered: RenderedNotice
    message: bytes

    @property
    def headers(self) -> str:
        """The message's header block, as a mail server receives it."""
        return self.message.split(b"\n\n", 1)[0].decode("ascii")

    @property
    def list_filename(self) -> str | None:
        return list_filename_of(self.rendered)


def preview(composer: Composer, notice: Notice) -> Preview:
    """Render and build the notice: the same steps and bytes a run would send."""
    prepared = composer.prepare(notice)
    data = composer.email(prepared).data
    return Preview(notice, context.variant(notice), prepared.rendered, data)


def load_samples(
    templates_dir: Path | None, calendar: Calendar, recipient_kinds: Sequence[str]
) -> SampleSet:
    return samples.load_samples(samples.samples_path(templates_dir), calendar, recipient_kinds)


def sample_notice(
    found: SampleSet,
    runtime: Runtime,
    milestone: Milestone,
    calendar: Calendar,
    recipient_kinds: Sequence[str],
    as_of: date | None,
) -> Notice:
    """The sample account with the sample functions, on `runtime` at `milestone`."""
    return milestone_notice(
        calendar, found.account, runtime, milestone, found.functions, recipient_kinds, as_of
    )


def account_notice(
    stores: Stores,
    calendar: Calendar,
    account_id: str,
    runtime: Runtime,
    milestone: Milestone,
    recipient_kinds: Sequence[str],
    as_of: date | None,
) -> Notice:
    """The account's real notice: its contacts and its in-scope functions on the runtime."""
    account = stores.accounts.accounts([account_id]).get(account_id)
    if account is None:
        raise InputError([Problem(f"--account {account_id}", "not in the database")])
    pair = (account_id, runtime.identifier)
    arns = stores.inventory.function_arns([pair]).get(pair)
    if not arns:
        has = _runtimes_of(stores.inventory, calendar, account_id)
        elsewhere = f"it has some on {', '.join(has)}" if has else "it has none on any runtime"
        message = f"no in-scope functions on {runtime.identifier} ({elsewhere})"
        raise InputError([Problem(f"--account {account_id}", message)])
    return milestone_notice(calendar, account, runtime, milestone, arns, recipient_kinds, as_of)


def _runtimes_of(inventory: Inventory, calendar: Calendar, account_id: str) -> list[str]:
    pairs = inventory.affected_pairs([r.identifier for r in calendar], [account_id])
    return sorted({p.runtime for p in pairs})


def templates_label(folder: Path | None) -> str:
    """How summaries name the templates in use."""
    if folder is None or folder.resolve() == bundled("templates").resolve():
        return "the built-in templates"
    return f"{folder} over the built-in templates"


def check_templates(
    templates_dir: Path | None,
    calendar: Calendar,
    recipient_kinds: Sequence[str],
    max_functions: int,
) -> CheckReport:
    """The check's report; InputError listing every problem (samples file included) if any."""
    problems: list[Problem] = []
    try:
        found: SampleSet | None = load_samples(templates_dir, calendar, recipient_kinds)
    except InputError as error:
        found = None
        problems += error.problems
    report = check.check_templates(templates_dir, found, max_functions)
    problems += report.problems
    if problems:
        raise InputError(problems)
    return report


def write_gallery(
    composer: Composer, found: SampleSet, folder: Path, templates: str
) -> list[gallery.GalleryEntry]:
    """An index and one page per sample, written to `folder` (created; an earlier gallery there
    is replaced; any other non-empty folder is refused, so nothing of the user's is lost)."""
    try:
        return _write_site(composer, found, folder, templates)
    except OSError as error:
        raise InputError([write_problem(folder, error)]) from error


def _write_site(
    composer: Composer, found: SampleSet, folder: Path, templates: str
) -> list[gallery.GalleryEntry]:
    _prepare_folder(folder)
    entries = [
        _write_sample(composer, s, folder, _slug(s.name, i)) for i, s in enumerate(found.samples)
    ]
    for index, entry in enumerate(entries):
        (folder / entry.page).write_text(gallery.entry_page(entries, index), encoding="utf-8")
    stamp = composer.clock().strftime("%Y-%m-%d %H:%M UTC")
    index_html = gallery.index_page(entries, templates, str(found.source), stamp)
    (folder / "index.html").write_text(index_html, encoding="utf-8")
    return entries


def _prepare_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise InputError([Problem(str(folder), "expected a folder for the gallery, found a file")])
    if folder.is_dir() and any(folder.iterdir()):
        if not (folder / GALLERY_MARK).is_file():
            message = "not empty and not an earlier gallery: choose a new or empty folder"
            raise InputError([Problem(str(folder), message)])
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / GALLERY_MARK).write_text("written by notifier preview --gallery\n", encoding="utf-8")


def _write_sample(
    composer: Composer, sample: samples.Sample, folder: Path, slug: str
) -> gallery.GalleryEntry:
    shown = preview(composer, sample.notice)
    (folder / slug).mkdir()
    files = {"message.html": shown.rendered.html, "message.txt": shown.rendered.text}
    for name, text in files.items():
        (folder / slug / name).write_text(text, encoding="utf-8")
    (folder / slug / "message.eml").write_bytes(shown.message)
    csv_file = None
    if shown.list_filename:
        (folder / slug / shown.list_filename).write_bytes(function_list_csv(sample.notice))
        csv_file = f"{slug}/{shown.list_filename}"
    return _entry(sample, shown, slug, csv_file)


def _entry(
    sample: samples.Sample, shown: Preview, slug: str, csv_file: str | None
) -> gallery.GalleryEntry:
    notice = shown.notice
    return gallery.GalleryEntry(
        name=slug,
        title=sample.title,
        variant=shown.variant,
        runtime=context.RuntimeView.of(notice.runtime).label,
        milestone=str(notice.milestone.milestone),
        as_of=notice.as_of,
        account=context.AccountView(notice.account.account_id, notice.account.name).label,
        functions=len(notice.functions),
        recipients=notice.recipients,
        subject=shown.rendered.subject,
        text=shown.rendered.text,
        health=shown.rendered.health_description,
        headers=shown.headers,
        html_file=f"{slug}/message.html",
        eml_file=f"{slug}/message.eml",
        text_file=f"{slug}/message.txt",
        csv_file=csv_file,
        html_bytes=len(shown.rendered.html.encode("utf-8")),
    )


def _slug(name: str, index: int) -> str:
    """A file name from the sample's name (TOML keys may hold anything); unique by position."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:60] or "sample"
    return cleaned if cleaned == name and name != "index" else f"{index + 1:02d}-{cleaned}"
