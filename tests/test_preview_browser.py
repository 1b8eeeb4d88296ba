"""The gallery in a real browser: headless Chromium opens every page, served on 127.0.0.1, and
each shows its subject, with the notice's HTML rendered in its frame.

Chromium loads one harness page that frames the index and every sample page; once all have
loaded, a script reads each page (same origin) and writes what it found into the harness, and
`--dump-dom` prints it. Skipped when no Chromium is installed (`.ci/run` installs it).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium, dump_dom
from tests.cli_helpers import Cli
from tests.peers import served_folder

HARNESS = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>harness</title></head>
<body><pre id="results">pending</pre>
{frames}
<script>
window.addEventListener("load", () => {{
  const found = [];
  for (const frame of document.querySelectorAll("iframe")) {{
    const doc = frame.contentDocument;
    const email = doc.querySelector("iframe.email");
    const inner = email && email.contentDocument;
    found.push({{
      page: frame.getAttribute("src"),
      title: doc.title,
      subject: (doc.getElementById("subject") || {{}}).textContent || null,
      links: [...doc.querySelectorAll("a")].map(a => a.getAttribute("href")),
      emailLoaded: email ? email.dataset.loaded || null : null,
      emailHeading: inner ? inner.querySelector("h1").textContent.trim() : null,
      emailHeight: email ? Math.round(email.getBoundingClientRect().height) : null,
    }});
  }}
  document.getElementById("results").textContent = JSON.stringify(found);
}});
</script></body></html>
"""


@pytest.fixture
def site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Path:
    for name in ("NOTIFIER_DATABASE_URL", "NOTIFIER_CONFIG", "NOTIFIER_TEMPLATES_DIR"):
        monkeypatch.delenv(name, raising=False)
    result = Cli(tmp_path, capsys, {})("preview", "--gallery", "site")
    assert result.code == 0, result.err
    return tmp_path / "site"


@pytest.fixture
def served(site: Path) -> Iterator[str]:
    with served_folder(site) as url:
        yield url


def pages(site: Path) -> list[str]:
    return sorted(p.name for p in site.glob("*.html") if p.name != "index.html")


def open_in_chromium(url: str, profile: Path) -> list[dict[str, Any]]:
    done = dump_dom(url, profile, extra=("--virtual-time-budget=15000",), timeout=120)
    found = re.search(r'<pre id="results">(.*?)</pre>', done.stdout, re.S)
    assert found, f"no results from Chromium (exit {done.returncode}): {done.stderr[-2000:]}"
    results: list[dict[str, Any]] = json.loads(html.unescape(found.group(1)))
    return results


def test_every_gallery_page_renders_in_chromium_and_shows_its_subject(
    site: Path, served: str, tmp_path: Path
) -> None:
    chromium()
    samples = pages(site)
    names = ["index.html", *samples]
    frames = "\n".join(f'<iframe src="{n}" width="1400" height="900"></iframe>' for n in names)
    (site / "harness.html").write_text(HARNESS.format(frames=frames), encoding="utf-8")
    results = {r["page"]: r for r in open_in_chromium(f"{served}/harness.html", tmp_path / "p")}
    assert set(results) == set(names)
    assert set(results["index.html"]["links"]) >= set(samples)
    assert len(samples) == 8
    for name in samples:
        shown = results[name]
        expected = _subject_in(site / name)
        assert shown["subject"] == expected, name
        assert expected in shown["title"], name
        assert shown["emailLoaded"] == expected, f"{name}: the HTML part did not load"
        assert shown["emailHeading"] and shown["emailHeading"] in expected, name
        assert shown["emailHeight"] > 1000, f"{name}: the HTML frame was not sized to its content"


def _subject_in(page: Path) -> str:
    found = re.search(r'id="subject">(.*?)</div>', page.read_text(encoding="utf-8"), re.S)
    assert found
    return html.unescape(found.group(1))
