"""The preview gallery's pages: an index, and per sample notice its subject, text and HTML bodies
side by side, the health event description and the raw headers. Static files, no external
resources; one small script sizes the HTML frame to its content when served over HTTP."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import jinja2
from markupsafe import Markup

from notifier.rendering.environment import long_date


@dataclass(frozen=True)
class GalleryEntry:
    """One sample notice as the gallery shows it; file names are relative to the gallery."""

    name: str
    title: str
    variant: str
    runtime: str
    milestone: str
    as_of: date
    account: str
    functions: int
    recipients: tuple[str, ...]
    subject: str
    text: str
    health: str
    headers: str
    html_file: str
    eml_file: str
    text_file: str
    csv_file: str | None
    html_bytes: int

    @property
    def page(self) -> str:
        return f"{self.name}.html"


_STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial,
  sans-serif; color: #1b1f24; background: #eef1f5; }
header.bar { display: flex; gap: 16px; align-items: center; padding: 10px 24px;
  color: #fff; background: #232f3e; }
header.bar a { color: #fff; text-decoration: none; }
header.bar .brand { font-weight: 700; }
header.bar nav { margin-left: auto; display: flex; gap: 16px; font-size: 14px; }
main { max-width: 1500px; margin: 0 auto; padding: 20px 24px 48px; }
h1 { margin: 4px 0 8px; font-size: 24px; }
h2 { margin: 0 0 8px; font-size: 15px; text-transform: uppercase; letter-spacing: .04em;
  color: #5f6368; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 0 0 16px; padding: 0;
  list-style: none; color: #3c4043; font-size: 14px; }
.facts b { color: #1b1f24; }
.tag { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px;
  font-weight: 600; color: #7a4100; background: #fdf0dc; }
.tag.reached { color: #8c1d18; background: #fbe4e2; }
.panel { margin: 0 0 20px; padding: 16px 18px; background: #fff; border: 1px solid #d8dde4;
  border-radius: 6px; }
.subject { font-size: 18px; font-weight: 600; overflow-wrap: anywhere; }
.side { display: grid; grid-template-columns: minmax(0, 640px) minmax(0, 1fr); gap: 20px;
  align-items: start; }
@media (max-width: 1100px) { .side { grid-template-columns: minmax(0, 1fr); } }
pre { margin: 0; font: 12.5px/1.45 ui-monospace, Menlo, Consolas, monospace; white-space: pre;
  overflow-x: auto; }
pre.wrap { white-space: pre-wrap; overflow-wrap: anywhere; }
iframe.email { display: block; width: 100%; height: 1400px; border: 1px solid #d8dde4;
  background: #fff; }
.files a { margin-right: 14px; }
table.list { width: 100%; border-collapse: collapse; background: #fff; }
table.list th, table.list td { padding: 8px 10px; text-align: left; vertical-align: top;
  border-bottom: 1px solid #e3e7ec; }
table.list th { font-size: 13px; color: #5f6368; background: #f6f8fa; }
.muted { color: #5f6368; font-size: 14px; }
"""

_SCRIPT = """
for (const frame of document.querySelectorAll("iframe.email")) {
  frame.addEventListener("load", () => {
    try {
      const doc = frame.contentDocument;
      frame.style.height = (doc.documentElement.scrollHeight + 4) + "px";
      frame.dataset.loaded = doc.title;
    } catch (error) { frame.dataset.loaded = "(opened as a file: frame not readable)"; }
  });
}
"""

_BASE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %}</title><style>{{ style }}</style></head>
<body><header class="bar"><a class="brand" href="index.html">notifier: notice gallery</a>
<nav>{% block nav %}{% endblock %}</nav></header>
<main>{% block main %}{% endblock %}</main></body></html>
"""

_INDEX = """{% extends "base" %}
{% block title %}Notice gallery{% endblock %}
{% block main %}
<h1>Notice gallery</h1>
<p class="muted">Every notice as it will arrive, rendered from {{ templates }} with the sample
data in {{ samples }}. {{ entries|length }} samples, generated {{ generated }}.</p>
<table class="list"><thead><tr><th>Sample</th><th>Situation</th><th>Runtime</th>
<th>Milestone</th><th>As of</th><th>Functions</th><th>Subject</th></tr></thead><tbody>
{% for e in entries %}
<tr><td><a href="{{ e.page }}">{{ e.title }}</a></td>
<td><span class="tag{{ ' reached' if e.variant in reached }}">{{ e.variant }}</span></td>
<td>{{ e.runtime }}</td><td>{{ e.milestone }}</td><td>{{ e.as_of }}</td>
<td>{{ e.functions }}</td><td>{{ e.subject }}</td></tr>
{% endfor %}
</tbody></table>
{% endblock %}
"""

_PAGE = """{% extends "base" %}
{% block title %}{{ e.title }}: {{ e.subject }}{% endblock %}
{% block nav %}
{% if prev %}<a href="{{ prev.page }}">&larr; {{ prev.title }}</a>{% endif %}
<a href="index.html">All samples</a>
{% if next %}<a href="{{ next.page }}">{{ next.title }} &rarr;</a>{% endif %}
{% endblock %}
{% block main %}
<h1>{{ e.title }}</h1>
<ul class="facts">
<li><span class="tag{{ ' reached' if e.variant in reached }}">{{ e.variant }}</span></li>
<li>runtime <b>{{ e.runtime }}</b></li><li>milestone <b>{{ e.milestone }}</b></li>
<li>as of <b>{{ longdate(e.as_of) }}</b></li><li>account <b>{{ e.account }}</b></li>
<li><b>{{ e.functions }}</b> {{ "function" if e.functions == 1 else "functions" }}</li>
</ul>
<section class="panel"><h2>Subject</h2><div class="subject" id="subject">{{ e.subject }}</div>
<p class="files muted">To: {{ e.recipients|join(", ") }}</p>
<p class="files"><a href="{{ e.eml_file }}" download>message (.eml)</a>
<a href="{{ e.text_file }}">text part</a><a href="{{ e.html_file }}">HTML part</a>
{% if e.csv_file %}<a href="{{ e.csv_file }}">attached function list (.csv)</a>{% endif %}
<span class="muted">HTML {{ "{:,}".format(e.html_bytes) }} bytes</span></p></section>
<div class="side">
<section class="panel"><h2>Text part</h2><pre id="text">{{ e.text }}</pre></section>
<section class="panel"><h2>HTML part</h2>
<iframe class="email" title="HTML part of {{ e.title }}" src="{{ e.html_file }}"
 sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"></iframe></section>
</div>
<section class="panel"><h2>Health event description</h2>
<pre class="wrap" id="health">{{ e.health }}</pre></section>
<section class="panel"><h2>Raw headers</h2><pre class="wrap" id="headers">{{ e.headers }}</pre>
</section>
<script>{{ script }}</script>
{% endblock %}
"""

REACHED = ("deprecated", "create_blocked", "update_blocked")


@functools.cache
def _environment() -> jinja2.Environment:
    loader = jinja2.DictLoader({"base": _BASE, "index": _INDEX, "page": _PAGE})
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined)
    env.globals.update(
        style=Markup(_STYLE), script=Markup(_SCRIPT), reached=REACHED, longdate=long_date
    )
    return env


def index_page(
    entries: Sequence[GalleryEntry], templates: str, samples: str, generated: str
) -> str:
    values = {"entries": entries, "templates": templates, "samples": samples}
    return _environment().get_template("index").render(values, generated=generated)


def entry_page(entries: Sequence[GalleryEntry], index: int) -> str:
    """The page of `entries[index]`, linked to its neighbours."""
    prev = entries[index - 1] if index > 0 else None
    next_entry = entries[index + 1] if index + 1 < len(entries) else None
    page = _environment().get_template("page")
    return page.render(e=entries[index], prev=prev, next=next_entry)
