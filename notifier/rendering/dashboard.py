"""The health dashboard's pages, as HTML strings: index, account, event, and the calendar's
timeline as inline SVG. Pure: what to show comes in, markup goes out."""

from __future__ import annotations

import functools
import hashlib
import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import jinja2

from notifier.core.domain import Runtime
from notifier.core.health import EntityStatus, HealthEvent, StatusCounts

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#16191f;background:#f2f3f3}
header{background:#232f3e;color:#fff;padding:12px 24px}header a{color:#fff}
main{padding:16px 24px;max-width:1200px}h1{font-size:20px;margin:0}h2{font-size:16px}
table{border-collapse:collapse;background:#fff;width:100%;margin:8px 0 16px}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e9ebed}
th{background:#fafafa}.n{text-align:right;font-variant-numeric:tabular-nums}
.upcoming{color:#0972d3}.open{color:#d91515}.closed{color:#037f0c}
.PENDING{color:#d91515}.RESOLVED{color:#037f0c}
.cards{display:flex;gap:12px}.card{background:#fff;padding:10px 16px;min-width:140px}
.card b{display:block;font-size:26px}nav a{margin-right:8px}pre{white-space:pre-wrap}
svg{background:#fff;display:block;margin:8px 0}code{word-break:break-all}
"""

_BASE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ title }}</title><style>{{ style }}</style></head><body>
<header><h1><a href="{{ root }}index.html">Scheduled changes</a> &rsaquo; {{ title }}</h1></header>
<main>{% block main %}{% endblock %}</main></body></html>"""

_INDEX = """{% extends "base" %}{% block main %}
<div class="cards">
{% for s in ("upcoming", "open", "closed") %}
<div class="card {{ s }}" id="total-{{ s }}"><b>{{ totals[s] }}</b>{{ s }}</div>{% endfor %}
<div class="card"><b>{{ accounts_total }}</b>accounts</div></div>
<h2>Runtime calendar on {{ today }}</h2>{{ timeline | safe }}
<h2>Accounts {{ first }}&ndash;{{ last }} of {{ accounts_total }}</h2>
<table id="accounts"><tr><th>Account</th><th>Name</th><th class="n">Upcoming</th>
<th class="n">Open</th><th class="n">Closed</th></tr>
{% for a in accounts %}<tr><td><a href="accounts/{{ a.account_id }}.html">{{ a.account_id }}</a>
</td><td>{{ names.get(a.account_id, "") }}</td><td class="n upcoming">{{ a.upcoming }}</td>
<td class="n open">{{ a.open }}</td>
<td class="n closed">{{ a.closed }}</td></tr>{% endfor %}</table>
<nav>{% for n in pages %}<a href="{{ page_name(n) }}">{{ n }}</a>{% endfor %}</nav>
{% endblock %}"""

_ACCOUNT = """{% extends "base" %}{% block main %}
<table id="events"><tr><th>Runtime</th><th>Region</th><th>Status</th><th>Start</th>
<th class="n">Pending</th><th class="n">Resolved</th><th>Last updated</th></tr>
{% for e in events %}<tr><td><a href="../events/{{ slug(e.arn) }}.html">{{ e.runtime }}</a></td>
<td>{{ e.region }}</td><td class="{{ e.status_code.value }}">{{ e.status_code.value }}</td>
<td>{{ when(e.start_time) }}</td><td class="n">{{ count(e, "PENDING") }}</td>
<td class="n">{{ count(e, "RESOLVED") }}</td><td>{{ when(e.last_updated_time) }}</td></tr>
{% endfor %}</table>{% endblock %}"""

_EVENT = """{% extends "base" %}{% block main %}
<p>Account <a href="../accounts/{{ e.account_id }}.html">{{ e.account_id }}</a> &middot;
{{ e.region }} &middot; <span class="{{ e.status_code.value }}" id="status">
{{ e.status_code.value }}</span></p>
<table><tr><th>Start</th><td>{{ when(e.start_time) }}</td></tr>
<tr><th>End</th><td>{{ when(e.end_time) }}</td></tr>
<tr><th>Last updated</th><td>{{ when(e.last_updated_time) }}</td></tr>
{% for k, v in e.metadata.items() %}<tr><th>{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}
<tr><th>Event ARN</th><td><code>{{ e.arn }}</code></td></tr></table>
<h2>Description</h2><pre>{{ e.description }}</pre>
<h2>Affected resources: <span id="pending">{{ count(e, "PENDING") }}</span> pending,
<span id="resolved">{{ count(e, "RESOLVED") }}</span> resolved</h2>
<table id="entities"><tr><th>Function</th><th>Status</th><th>Last updated</th></tr>
{% for x in e.entities %}<tr><td><code>{{ x.entity_value }}</code></td>
<td class="{{ x.status.value }}">{{ x.status.value }}</td><td>{{ when(x.last_updated_time) }}</td>
</tr>{% endfor %}</table>{% endblock %}"""


@functools.cache
def _environment() -> jinja2.Environment:
    loader = jinja2.DictLoader(
        {"base": _BASE, "index": _INDEX, "account": _ACCOUNT, "event": _EVENT}
    )
    env = jinja2.Environment(loader=loader, autoescape=True)
    env.globals.update(style=STYLE, slug=event_slug, when=_when, count=_count)
    env.globals["page_name"] = index_page_name
    return env


def event_slug(arn: str) -> str:
    return hashlib.sha256(arn.encode()).hexdigest()[:24]


def index_page_name(number: int) -> str:
    return "index.html" if number == 1 else f"index-{number}.html"


def _when(moment: object) -> str:
    return "-" if moment is None else str(moment)[:16].replace("T", " ") + " UTC"


def _count(event: HealthEvent, status: str) -> int:
    return sum(1 for e in event.entities if e.status is EntityStatus(status))


@dataclass(frozen=True)
class IndexPage:
    number: int
    pages: int
    accounts: Sequence[StatusCounts]
    accounts_total: int
    totals: dict[str, int]
    first: int
    names: Mapping[str, str]


def index_html(page: IndexPage, timeline: str, today: date) -> str:
    return (
        _environment()
        .get_template("index")
        .render(
            title="Health dashboard",
            root="",
            totals=page.totals,
            names=page.names,
            accounts=page.accounts,
            accounts_total=page.accounts_total,
            first=page.first,
            last=page.first + len(page.accounts) - 1,
            pages=range(1, page.pages + 1) if page.pages > 1 else (),
            timeline=timeline,
            today=today,
        )
    )


def account_html(account_id: str, events: Sequence[HealthEvent]) -> str:
    return (
        _environment()
        .get_template("account")
        .render(title=f"Account {account_id}", root="../", events=events)
    )


def event_html(event: HealthEvent) -> str:
    return (
        _environment()
        .get_template("event")
        .render(title=f"{event.runtime} in {event.region}", root="../", e=event)
    )


ROW, LEFT, WIDTH = 22, 150, 900
_MARKS = (("deprecation", "#0972d3"), ("block_create", "#ec7211"), ("block_update", "#d91515"))


def timeline_svg(runtimes: Sequence[Runtime], today: date) -> str:
    """Each runtime with a date from a year ago on: its three dates against today."""
    shown = [r for r in runtimes if _dates(r) and max(_dates(r)) >= today - timedelta(days=365)]
    if not shown:
        return "<p>No runtime has dates in this window.</p>"
    low = min(today, *(min(_dates(r)) for r in shown)) - timedelta(days=15)
    high = max(today, *(max(_dates(r)) for r in shown)) + timedelta(days=15)
    span = (high - low).days

    def x(day: date) -> float:
        return LEFT + (WIDTH - LEFT - 10) * (day - low).days / span

    height = ROW * (len(shown) + 2)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'role="img" aria-label="Runtime deprecation calendar" id="timeline">'
    ]
    for year in range(low.year + 1, high.year + 1):
        left = x(date(year, 1, 1))
        parts.append(
            f'<line x1="{left:.1f}" y1="0" x2="{left:.1f}" y2="{height}" stroke="#e9ebed"/>'
        )
        parts.append(f'<text x="{left + 3:.1f}" y="{height - 6}" font-size="11">{year}</text>')
    for i, runtime in enumerate(shown):
        parts.append(_row(runtime, ROW * (i + 1), x))
    now = x(today)
    parts.append(
        f'<line x1="{now:.1f}" y1="0" x2="{now:.1f}" y2="{height}" '
        'stroke="#16191f" stroke-dasharray="4 3"/>'
    )
    parts.append(f'<text x="{now + 3:.1f}" y="12" font-size="11">today</text>')
    parts.append(_legend(height))
    return "".join(parts) + "</svg>"


def _dates(runtime: Runtime) -> list[date]:
    return [d for d in (runtime.deprecation, runtime.block_create, runtime.block_update) if d]


def _row(runtime: Runtime, y: int, place: Callable[[date], float]) -> str:
    dates = _dates(runtime)
    label = html.escape(runtime.identifier)
    out = [f'<text x="4" y="{y + 4}" font-size="12">{label}</text>']
    out.append(
        f'<line x1="{place(min(dates)):.1f}" y1="{y}" x2="{place(max(dates)):.1f}" y2="{y}" '
        'stroke="#aab7b8" stroke-width="3"/>'
    )
    for phase, colour in _MARKS:
        day = getattr(runtime, phase)
        if day is not None:
            out.append(
                f'<circle cx="{place(day):.1f}" cy="{y}" r="5" fill="{colour}">'
                f"<title>{label} {phase.replace('_', ' ')}: {day}</title></circle>"
            )
    return "".join(out)


def _legend(height: int) -> str:
    items = [
        f'<circle cx="{LEFT + 160 * i}" cy="{height - 26}" r="5" fill="{colour}"/>'
        f'<text x="{LEFT + 160 * i + 9}" y="{height - 22}" font-size="11">'
        f"{phase.replace('_', ' ')}</text>"
        for i, (phase, colour) in enumerate(_MARKS)
    ]
    return "".join(items)
