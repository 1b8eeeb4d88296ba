"""`notifier preview --gallery DIR [--serve [PORT]]`: a static site of every sample notice."""

from __future__ import annotations

import html
import re
import signal
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from notifier.rendering.context import VARIANTS
from tests.cli_helpers import Cli
from tests.peers import served_folder

SAMPLES = [
    "deprecation_ahead",
    "deprecated",
    "deprecated_already",
    "create_blocked_soon",
    "create_blocked",
    "update_blocked_soon",
    "update_blocked",
    "long_list",
]


@pytest.fixture
def site(cli: Cli, tmp_path: Path) -> Path:
    result = cli("preview", "--gallery", "site")
    assert result.code == 0, result.err
    assert result.out == f"wrote {len(SAMPLES)} sample notices to site/index.html\n"
    return tmp_path / "site"


def subject_of(page: str) -> str:
    found = re.search(r'<div class="subject" id="subject">(.*?)</div>', page, re.S)
    assert found, "no subject on the page"
    return html.unescape(found.group(1))


def test_the_gallery_has_an_index_and_a_page_per_sample(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    for name in SAMPLES:
        assert f'href="{name}.html"' in index
        page = (site / f"{name}.html").read_text(encoding="utf-8")
        assert subject_of(page).startswith("[Action required] ")
        assert subject_of(page) in html.unescape(index)
        for part in ("message.html", "message.txt", "message.eml"):
            assert (site / name / part).is_file()
            assert f'{name}/{part}"' in page
    assert {v for v in VARIANTS if f">{v}</span>" in index} == set(VARIANTS)


def test_a_page_shows_text_html_health_and_headers(site: Path) -> None:
    page = (site / "create_blocked_soon.html").read_text(encoding="utf-8")
    text = (site / "create_blocked_soon" / "message.txt").read_text(encoding="utf-8")
    shown = re.search(r'<pre id="text">(.*?)</pre>', page, re.S)
    assert shown and html.unescape(shown.group(1)) == text
    assert 'src="create_blocked_soon/message.html"' in page
    assert "<h2>Health event description</h2>" in page
    headers = re.search(r'<pre class="wrap" id="headers">(.*?)</pre>', page, re.S)
    assert headers and "Message-ID: &lt;notice." in headers.group(1)
    assert "X-Notifier-Notice: 123456789012/python3.9/block_create:30" in headers.group(1)


def test_the_long_list_page_links_its_csv_attachment(site: Path) -> None:
    page = (site / "long_list.html").read_text(encoding="utf-8")
    csv_file = site / "long_list" / "functions-123456789012-nodejs18.x.csv"
    assert csv_file.read_text(encoding="utf-8").count("\n") == 318
    assert 'href="long_list/functions-123456789012-nodejs18.x.csv"' in page


def test_nothing_is_loaded_from_elsewhere(site: Path) -> None:
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"""src=["']?(https?:)?//""", text)
        assert "<link" not in text and "@import" not in text and "url(" not in text


def test_a_new_gallery_replaces_the_old_one_but_never_a_foreign_folder(
    cli: Cli, site: Path, tmp_path: Path
) -> None:
    (site / "stale.html").write_text("old")
    assert cli("preview", "--gallery", "site").code == 0
    assert not (site / "stale.html").exists()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    result = cli("preview", "--gallery", "mine")
    assert result.code == 2
    assert "error: mine: not empty and not an earlier gallery" in result.err
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


@pytest.fixture
def served(site: Path) -> Iterator[str]:
    with served_folder(site) as url:
        yield url


def test_the_server_serves_the_gallery_on_localhost(served: str, site: Path) -> None:
    with urllib.request.urlopen(f"{served}/create_blocked.html", timeout=10) as response:
        assert response.status == 200
        assert response.read() == (site / "create_blocked.html").read_bytes()


def test_a_port_in_use_is_an_error_that_says_what_to_do(cli: Cli) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = cli("preview", "--gallery", "site", "--serve", port)
    assert result.code == 2
    assert f"error: 127.0.0.1:{port}: cannot listen: Address already in use; pass another" in (
        result.err
    )


def test_serve_runs_until_ctrl_c(cli: Cli, tmp_path: Path) -> None:
    process = cli.subprocess(
        "preview",
        "--gallery",
        "site",
        "--serve",
        "0",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("wrote 8 sample notices")
        ready = process.stdout.readline()
        url = re.search(
            r"serving the gallery at (http://127\.0\.0\.1:\d+/) \(Ctrl-C to stop\)", ready
        )
        assert url, ready
        with urllib.request.urlopen(url.group(1) + "index.html", timeout=10) as response:
            assert b"Notice gallery" in response.read()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_sample_names_never_escape_the_folder_or_clobber_the_index(
    cli: Cli, tmp_path: Path
) -> None:
    samples = tmp_path / "mine" / "samples"
    samples.mkdir(parents=True)
    (samples / "notices.toml").write_text(
        '[account]\nid = "123456789012"\nprimary_email = "a@example.com"\n'
        "[functions]\nus-east-1 = 2\n"
        '[samples.index]\nruntime = "python3.9"\nmilestone = "block_create:7"\n'
        '[samples."../../evil name"]\nruntime = "python3.9"\nmilestone = "block_update:7"\n',
        encoding="utf-8",
    )
    cli.env["NOTIFIER_TEMPLATES_DIR"] = "mine"
    result = cli("preview", "--gallery", "site")
    assert result.code == 0, result.err
    pages = sorted(p.name for p in (tmp_path / "site").glob("*.html"))
    assert pages == ["01-index.html", "02-evil-name.html", "index.html"]
    assert "Notice gallery" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "site"]
