"""`notifier run`, `notifier dry-run`, `notifier history`: sending notices and what was sent."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Annotated

import typer

from notifier import bootstrap
from notifier.cli.common import (
    Accounts,
    AsOf,
    Json,
    as_of_day,
    check_accounts,
    globals_of,
    print_json,
    progress_bar,
    say,
)
from notifier.config import Settings
from notifier.core.errors import InputError, Problem
from notifier.service.compose import Prepared
from notifier.service.queries import dry_run as plan_dry_run
from notifier.service.queries import history as load_history
from notifier.service.queries import history_json, notice_json
from notifier.service.summary import ChannelStats, RunSummary


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("dry-run")(dry_run)
    app.command("history")(history)


def run(
    ctx: typer.Context,
    as_of: AsOf = None,
    as_json: Json = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait for a run in progress instead of refusing.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Run for an --as-of beyond max_future_days too.")
    ] = False,
) -> None:
    """Plan, record, render and deliver every notice due on a day; print what was sent.

    Exit code 0 when all was delivered or nothing was due, 1 when a delivery failed.

    Example: notifier run --as-of 2026-12-01
    """
    g = globals_of(ctx)
    settings = g.settings()
    cal = bootstrap.calendar(settings)
    day = as_of_day(as_of, settings)
    if not force:
        _check_not_too_far(day, settings)
    bootstrap.check_run(settings)
    with bootstrap.run_store(settings, wait) as (st, lock):
        if note := bootstrap.prepare_for_run(settings, st, cal):
            say(g, note)
        with (
            progress_bar(g, f"notices for {day}") as bar,
            bootstrap.runner(settings, st, cal, day, bar, lock=lock) as runner,
        ):
            summary = runner.run()
    print_json(summary.as_dict()) if as_json else _print_summary(summary, settings.outbox_dir)
    if summary.halted:
        typer.echo(f"error: {summary.halted}", err=True)
        raise typer.Exit(2)
    if summary.failed:
        raise typer.Exit(1)


def _check_not_too_far(day: date, settings: Settings) -> None:
    """A run records every milestone up to its day as sent: a day far ahead is a typo."""
    days = settings.max_future_days
    if day > bootstrap.today(settings) + timedelta(days=days):
        problem = (
            f"{day} is more than {days} days from today (max_future_days); a run records "
            "every notice due until then as sent. Pass --force if you mean it"
        )
        raise InputError([Problem("--as-of", problem)])


def _print_summary(summary: RunSummary, outbox: object) -> None:
    typer.echo(
        f"run for {summary.as_of}: {summary.notices} new notices, {summary.retried} retried "
        f"from earlier runs, in {summary.seconds:.1f} s"
    )
    if summary.resent_unknown:
        typer.echo(
            f"  {summary.resent_unknown} sent again after an interrupted run "
            "(same Message-ID: any duplicate is identifiable)"
        )
    for what, count in summary.emailed.items():
        typer.echo(f"  emailed {count:>6}  {what}")
    for name, stats in summary.channels.items():
        typer.echo(f"  {name}: {_channel_line(stats)}")
        for reason, count in stats.reasons.most_common():
            typer.echo(f"    failed {count}x: {reason}")
    if summary.health:
        h = summary.health
        typer.echo(
            f"  health events: {h['changed']} changed; functions {h['resolved']} resolved, "
            f"{h['reopened']} reopened, {h['added']} added"
        )


def _channel_line(stats: ChannelStats) -> str:
    parts = [f"{stats.delivered} delivered", f"{stats.failed} failed"]
    extra = {
        "retries": stats.retried,
        "addresses suppressed": stats.suppressed,
        "undeliverable": stats.undeliverable,
        "left for the next run": stats.deferred,
    }
    parts += [f"{count} {what}" for what, count in extra.items() if count]
    return ", ".join(parts) + f" in {stats.seconds:.1f} s"


def dry_run(
    ctx: typer.Context,
    as_of: AsOf = None,
    account: Accounts = None,
    as_json: Json = False,
    full: Annotated[bool, typer.Option("--full", help="Print every notice's whole text.")] = False,
) -> None:
    """Show what a run would send, rendered, without writing anything anywhere.

    With --account the notices are printed whole (recipients, subject and text).

    Example: notifier dry-run --account 111122223333 --as-of 2027-01-15
    """
    g = globals_of(ctx)
    settings = g.settings()
    accounts = check_accounts(account)
    cal = bootstrap.calendar(settings)
    day = as_of_day(as_of, settings)
    with bootstrap.reading_store(settings, cal) as (st, note):
        if note:
            say(g, note)
        inputs = bootstrap.plan_inputs(settings, cal, day)
        with bootstrap.preparing(settings) as composer:
            found = plan_dry_run(st, inputs, composer, accounts)
            if as_json:
                _stream_json(day.isoformat(), found)
            else:
                _print_dry_run(found, whole=full or accounts is not None)


def _stream_json(as_of: str, found: Iterable[Prepared]) -> None:
    out = sys.stdout
    out.write(f'{{"as_of": "{as_of}", "notices": [')
    for index, prepared in enumerate(found):
        out.write(
            ("," if index else "") + "\n  " + json.dumps(notice_json(prepared), ensure_ascii=False)
        )
    out.write("\n]}\n")


def _print_dry_run(found: Iterable[Prepared], whole: bool) -> None:
    count = 0
    for prepared in found:
        count += 1
        _print_notice(prepared, whole)
    typer.echo(f"{count} notices would be sent")


def _print_notice(prepared: Prepared, whole: bool) -> None:
    n = prepared.notice
    m = n.milestone
    if not whole:
        typer.echo(
            f"{n.account.account_id}  {n.runtime.identifier:<14} "
            f"{m.phase.value}:{m.days_before:<4} "
            f"{len(n.functions):>4} functions  {prepared.error or prepared.rendered.subject}"
        )
        return
    typer.echo(
        f"=== {n.account.account_id} {n.runtime.identifier} "
        f"{m.phase.value}:{m.days_before} ({m.date})"
    )
    typer.echo(f"To: {', '.join(n.recipients)}")
    if prepared.error:
        typer.echo(f"Not sendable: {prepared.error}\n")
        return
    typer.echo(f"Subject: {prepared.rendered.subject}\n")
    typer.echo(prepared.rendered.text.rstrip() + "\n")


def history(ctx: typer.Context, account: Accounts = None, as_json: Json = False) -> None:
    """List the notices sent, with the day each was sent and each channel's status.

    Example: notifier history --account 111122223333 --json
    """
    settings = globals_of(ctx).settings()
    accounts = check_accounts(account)
    with bootstrap.store_to_read(settings) as st:
        rows = load_history(st.ledger, accounts)
    if as_json:
        print_json({"notices": [history_json(r) for r in rows]})
        return
    for row in rows:
        n = row.notice
        channels = " ".join(f"{k}={v}" for k, v in sorted(row.channels.items()))
        typer.echo(
            f"{row.sent_on}  {n.key.account_id}  {n.key.runtime:<14} "
            f"{n.key.phase.value}:{n.key.days_before:<4} {channels}  {n.subject}"
        )
    typer.echo(f"{len(rows)} notices")
