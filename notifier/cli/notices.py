"""`notifier run`, `notifier dry-run`, `notifier history`: sending notices and what was sent."""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Iterable
from typing import Annotated

import typer

from notifier import ChannelStats, PlannedNotice, RunSummary
from notifier.cli.common import Accounts, AsOf, Json, globals_of, print_json, progress_bar
from notifier.cli.feedback import feedback_line


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
    plan_only: Annotated[
        bool,
        typer.Option("--plan-only", help="Record the notices and deliver none (see `worker`)."),
    ] = False,
) -> None:
    """Plan, record, render and deliver every notice due on a day; print what was sent.

    Exit code 0 when all was delivered or nothing was due, 1 when a delivery failed, 2 when
    a channel was stopped (its set-up is wrong; the rest stays pending). With --plan-only the
    notices and their deliveries are recorded, pending, for `notifier worker` to deliver.

    Example: notifier run --as-of 2026-12-01
    """
    g = globals_of(ctx)
    nt = g.notifier()
    day = as_of or nt.today()
    with progress_bar(g, f"notices for {day}") as bar:
        summary = nt.run(day, wait=wait, force=force, progress=bar, plan_only=plan_only)
    print_json(summary.to_json()) if as_json else print_summary(summary)
    if summary.halted:
        typer.echo(f"error: {summary.halted}", err=True)
    raise typer.Exit(summary.exit_code)


def print_summary(summary: RunSummary, what: str = "run") -> None:
    if what == "worker":
        typer.echo(f"worker: {summary.retried} deliveries taken on, in {summary.seconds:.1f} s")
    else:
        typer.echo(
            f"run for {summary.as_of}: {summary.notices} new notices, {summary.retried} retried "
            f"from earlier runs, in {summary.seconds:.1f} s"
        )
    if summary.resent_unknown:
        typer.echo(
            f"  {summary.resent_unknown} sent again after an interrupted run "
            "(same Message-ID: any duplicate is identifiable)"
        )
    if summary.feedback is not None:
        typer.echo(f"  {feedback_line(summary.feedback)}")
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
    nt = globals_of(ctx).notifier()
    day = as_of or nt.today()
    found = nt.planned(day, account)
    if as_json:
        _stream_json(day.isoformat(), found)
    else:
        _print_dry_run(found, whole=full or account is not None)


def _stream_json(as_of: str, found: Iterable[PlannedNotice]) -> None:
    """The dry-run JSON, a notice at a time. The first notice is asked for before anything is
    written: opening the database can still fail with a one-line error."""
    out, notices = sys.stdout, iter(found)
    first = next(notices, None)
    found = [] if first is None else itertools.chain([first], notices)
    out.write(f'{{"as_of": "{as_of}", "notices": [')
    for index, planned in enumerate(found):
        out.write(
            ("," if index else "") + "\n  " + json.dumps(planned.to_json(), ensure_ascii=False)
        )
    out.write("\n]}\n")


def _print_dry_run(found: Iterable[PlannedNotice], whole: bool) -> None:
    count = 0
    for planned in found:
        count += 1
        _print_notice(planned, whole)
    typer.echo(f"{count} notices would be sent")


def _print_notice(planned: PlannedNotice, whole: bool) -> None:
    n = planned.notice
    m = n.milestone
    if not whole:
        typer.echo(
            f"{n.account.account_id}  {n.runtime.identifier:<14} "
            f"{m.phase.value}:{m.days_before:<4} "
            f"{len(n.functions):>4} functions  {planned.problem or planned.subject}"
        )
        return
    typer.echo(
        f"=== {n.account.account_id} {n.runtime.identifier} "
        f"{m.phase.value}:{m.days_before} ({m.date})"
    )
    typer.echo(f"To: {', '.join(n.recipients)}")
    if planned.problem:
        typer.echo(f"Not sendable: {planned.problem}\n")
        return
    typer.echo(f"Subject: {planned.subject}\n")
    typer.echo(planned.text.rstrip() + "\n")


def history(
    ctx: typer.Context,
    account: Accounts = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="Only notices with a delivery in this status: pending, sending, delivered, "
            "failed or undeliverable.",
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """List the notices sent, with the day each was sent and each channel's status.

    Example: notifier history --status failed --account 111122223333 --json
    """
    found = globals_of(ctx).notifier().history(account, status)
    if as_json:
        print_json(found.to_json())
        return
    for row in found.rows:
        n = row.notice
        channels = " ".join(f"{k}={v}" for k, v in sorted(row.channels.items()))
        typer.echo(
            f"{row.sent_on}  {n.key.account_id}  {n.key.runtime:<14} "
            f"{n.key.phase.value}:{n.key.days_before:<4} {channels}  {n.subject}"
        )
    typer.echo(f"{len(found.rows)} notices")
