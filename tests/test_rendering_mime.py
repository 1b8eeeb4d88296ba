"""The built message: what a mail client or a mail server reads from the bytes."""

from __future__ import annotations

import email
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default

import pytest

from notifier.core.domain import Notice
from notifier.rendering.mime import build_message
from notifier.rendering.notice import NoticeRenderer
from notifier.rendering.types import RenderedNotice
from tests.rendering_helpers import notice, overlong_lines, with_account_name

SENT_AT = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)
SENDER = "Runtime notices <notices@example.com>"


@pytest.fixture(scope="module")
def renderer() -> NoticeRenderer:
    return NoticeRenderer()


def build(sample: Notice, rendered: RenderedNotice, **overrides: object) -> bytes:
    arguments: dict[str, object] = {
        "message_id": sample.key.message_id("notifier.example"),
        "sender": SENDER,
        "sent_at": SENT_AT,
        **overrides,
    }
    return build_message(sample, rendered, **arguments)  # type: ignore[arg-type]


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=default)
    assert isinstance(message, EmailMessage)
    return message


def test_the_message_is_text_and_html_alternatives_in_utf8(renderer: NoticeRenderer) -> None:
    sample = notice()
    rendered = renderer.render(sample)
    message = parse(build(sample, rendered))
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert [p.get_content_charset() for p in parts] == ["utf-8", "utf-8"]
    assert parts[0].get_content() == rendered.text
    assert parts[1].get_content() == rendered.html
    assert overlong_lines(parts[0].get_content()) == []


def test_the_headers_carry_sender_recipients_subject_date_and_ids(renderer: NoticeRenderer) -> None:
    sample = notice()
    rendered = renderer.render(sample)
    message = parse(build(sample, rendered))
    assert message["From"] == SENDER
    assert message["To"] == "ops@acme.example, root@acme.example"
    assert message["Subject"] == rendered.subject
    assert message["Subject"].startswith("[Action required] ")
    assert message["Date"] == "Thu, 01 Oct 2026 09:30:00 +0000"
    assert message["Message-ID"] == sample.key.message_id("notifier.example")
    assert message["MIME-Version"] == "1.0"
    assert message["X-Notifier-Notice"] == "123456789012/python3.10/deprecation:30"


def test_a_non_ascii_subject_and_sender_name_are_encoded_and_read_back(
    renderer: NoticeRenderer,
) -> None:
    sample = with_account_name(notice(), "Zürich Ünits – Prod")
    rendered = renderer.render(sample)
    assert "Zürich" not in rendered.subject  # the name is in the body, not the subject
    rendered = replace(rendered, subject="[Action required] Läuft ab: python3.10")
    data = build(sample, rendered, sender="Bénédicte <notices@example.com>")
    assert data.isascii()
    assert b"=?utf-8?" in data.split(b"\n\n", 1)[0]
    message = parse(data)
    assert message["Subject"] == "[Action required] Läuft ab: python3.10"
    assert message["From"] == "Bénédicte <notices@example.com>"
    assert "Zürich Ünits – Prod" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


@pytest.mark.parametrize("field", ["subject", "sender", "message_id", "recipient"])
def test_a_line_break_in_any_header_value_is_refused(renderer: NoticeRenderer, field: str) -> None:
    sample = notice()
    rendered = renderer.render(sample)
    evil = "x\r\nBcc: victim@example.com"
    if field == "subject":
        rendered = replace(rendered, subject=evil)
    if field == "recipient":
        sample = replace(sample, recipients=(f"a@example.com{evil}",))
    overrides = {"sender": evil} if field == "sender" else {}
    overrides |= {"message_id": f"<{evil}>"} if field == "message_id" else {}
    with pytest.raises(ValueError, match="line break"):
        build(sample, rendered, **overrides)


def test_a_hostile_account_name_never_reaches_the_headers(renderer: NoticeRenderer) -> None:
    sample = with_account_name(notice(), "Evil\r\nBcc: victim@example.com")
    message = parse(build(sample, renderer.render(sample)))
    assert message["Bcc"] is None
    assert "victim" not in str(message["Subject"])


def test_the_same_notice_builds_the_same_bytes(renderer: NoticeRenderer) -> None:
    sample = notice()
    rendered = renderer.render(sample)
    assert build(sample, rendered) == build(sample, rendered)
