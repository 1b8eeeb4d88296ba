"""The built message: what a mail client or a mail server reads from the bytes."""

from __future__ import annotations

import base64
import csv
import email
import io
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import SMTPUTF8, default

import pytest

from notifier.core.domain import Notice
from notifier.rendering import mime
from notifier.rendering.listing import function_list_csv, list_filename_of
from notifier.rendering.mime import build_message
from notifier.rendering.notice import NoticeRenderer
from notifier.rendering.types import RenderedNotice
from tests.rendering_helpers import SITUATIONS, notice, overlong_lines, with_account_name

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


def test_internationalised_addresses_build_with_idna_domains_and_utf8_local_parts(
    renderer: NoticeRenderer,
) -> None:
    locals_ = [f"j\u00fcrgen.{i}" for i in range(6)]
    recipients = (*(f"{local}@example.com" for local in locals_), "ops@b\u00fccher.example")
    sample = replace(notice(), recipients=recipients)
    data = build(sample, renderer.render(sample), sender="N\u00f6tices <n@ex\u0430mple.com>")
    head = data.split(b"\n\n", 1)[0].decode("utf-8")
    assert max(len(line) for line in head.splitlines()) <= mime.MAX_LINE
    message = email.message_from_string(data.decode("utf-8"), policy=SMTPUTF8)
    assert [a.addr_spec for a in message["To"].addresses] == [
        *(f"{local}@example.com" for local in locals_),
        "ops@xn--bcher-kva.example",
    ]
    [sender] = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("N\u00f6tices", "n@xn--exmple-4nf.com")
    assert "=?" not in str(message["To"])  # an address is never an encoded word (RFC 2047)


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


def test_a_cut_list_makes_the_message_mixed_with_the_csv_after_the_alternatives() -> None:
    sample = notice(count=120)
    rendered = NoticeRenderer(max_functions=50).render(sample)
    message = parse(build(sample, rendered))
    assert message.get_content_type() == "multipart/mixed"
    alternative, attached = list(message.iter_parts())
    assert alternative.get_content_type() == "multipart/alternative"
    text, html = list(alternative.iter_parts())
    assert (text.get_content_type(), text.get_content_charset()) == ("text/plain", "utf-8")
    assert (html.get_content_type(), html.get_content_charset()) == ("text/html", "utf-8")
    assert text.get_content() == rendered.text and html.get_content() == rendered.html
    assert attached.get_content_type() == "text/csv"
    assert attached.get_content_charset() == "utf-8"
    assert attached.get_content_disposition() == "attachment"
    assert attached.get_filename() == "functions-123456789012-python3.10.csv"
    rows = list(csv.reader(io.StringIO(attached.get_content())))
    assert len(rows) == 121 and [r[2] for r in rows[1:]] == list(sample.functions)
    assert message.get_body(("plain",)) is not None  # a mail client finds the text
    assert overlong_lines(text.get_content()) == []


def test_every_sample_situation_parses_into_text_and_html_parts(renderer: NoticeRenderer) -> None:
    for phase, days in SITUATIONS.values():
        for count in (1, 5, 60):
            sample = notice(phase=phase, days_before=days, count=count)
            message = parse(build(sample, renderer.render(sample)))
            leaves = [p for p in message.walk() if not p.is_multipart()]
            types = [(p.get_content_type(), p.get_content_charset()) for p in leaves]
            expected = [("text/plain", "utf-8"), ("text/html", "utf-8")]
            assert types == expected + ([("text/csv", "utf-8")] if count > 50 else [])
            assert all(
                len(line) <= 78 for line in build(sample, renderer.render(sample)).split(b"\n")
            )


def compat32_reference(sample: Notice, rendered: RenderedNotice, message_id: str) -> bytes:
    """The same message built the plain way, with the compat32 classes and their generator."""

    def part(body: bytes, subtype: str, **params: str) -> MIMENonMultipart:
        found = MIMENonMultipart("text", subtype, charset="utf-8", **params)  # type: ignore[arg-type]
        del found["MIME-Version"]
        found["Content-Transfer-Encoding"] = "base64"
        found.set_payload(base64.encodebytes(body).decode("ascii"))
        return found

    top = MIMEMultipart("alternative", boundary=mime._boundary(message_id, "alt"))
    top.attach(part(rendered.text.encode(), "plain"))
    top.attach(part(rendered.html.encode(), "html"))
    filename = list_filename_of(rendered)
    if filename:
        del top["MIME-Version"]
        alternative, top = top, MIMEMultipart("mixed", boundary=mime._boundary(message_id, "mixed"))
        top.attach(alternative)
        attached = part(function_list_csv(sample), "csv", header="present")
        attached.add_header("Content-Disposition", "attachment", filename=filename)
        top.attach(attached)
    top["From"] = mime._address(SENDER)
    top["To"] = ", ".join(mime._address(r) for r in sample.recipients)
    top["Subject"] = mime._encoded(rendered.subject)  # type: ignore[assignment]
    top["Date"] = "Thu, 01 Oct 2026 09:30:00 +0000"
    top["Message-ID"] = message_id
    top["X-Notifier-Notice"] = (
        f"123456789012/{sample.runtime.identifier}/{sample.milestone.milestone}"
    )
    return top.as_bytes()


@pytest.mark.parametrize("count", [3, 51, 400])
@pytest.mark.parametrize("name", ["Acme", "Zürich Ünits – Prod"])
def test_the_bytes_are_those_the_compat32_classes_build(
    renderer: NoticeRenderer, count: int, name: str
) -> None:
    sample = with_account_name(notice(count=count), name)
    rendered = renderer.render(sample)
    if name != "Acme":
        rendered = replace(
            rendered, subject=rendered.subject + " – Läuft ab, mit einer langen Zeile"
        )
    message_id = sample.key.message_id("notifier.example")
    assert build(sample, rendered) == compat32_reference(sample, rendered, message_id)
