"""The outbox channel: one .eml file per notice, written whole, however often delivered."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email.policy import default
from pathlib import Path

import pytest

from notifier.channels.base import DeliveryError, OutgoingEmail
from notifier.channels.outbox import OutboxChannel
from notifier.core.domain import NoticeKey, Phase
from notifier.rendering.mime import build_message
from notifier.rendering.notice import NoticeRenderer
from tests.rendering_helpers import SITUATIONS, notice

KEY = NoticeKey("123456789012", "python3.10", Phase.DEPRECATION, 30)
DATA = b"From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nbody\r\n"


def outgoing(key: NoticeKey = KEY, data: bytes = DATA) -> OutgoingEmail:
    return OutgoingEmail(
        key=key,
        message_id=key.message_id("notifier.example"),
        sender="a@example.com",
        recipients=("b@example.com",),
        subject="hi",
        data=data,
    )


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_a_message_lands_as_an_eml_file_under_its_account(tmp_path: Path) -> None:
    channel = OutboxChannel(tmp_path / "outbox")
    result = channel.deliver(outgoing())
    expected = tmp_path / "outbox" / "123456789012" / f"{KEY.token}.eml"
    assert result.provider_id == str(expected)
    assert expected.read_bytes() == DATA
    assert email.message_from_bytes(expected.read_bytes(), policy=default)["Subject"] == "hi"
    assert channel.name == "outbox"


def test_delivering_the_same_notice_twice_leaves_one_file_with_the_latest_bytes(
    tmp_path: Path,
) -> None:
    channel = OutboxChannel(tmp_path)
    channel.deliver(outgoing())
    channel.deliver(outgoing(data=DATA + b"again\r\n"))
    assert files(tmp_path) == [f"123456789012/{KEY.token}.eml"]
    assert (tmp_path / "123456789012" / f"{KEY.token}.eml").read_bytes().endswith(b"again\r\n")


def test_each_notice_gets_its_own_file(tmp_path: Path) -> None:
    channel = OutboxChannel(tmp_path)
    other_runtime = NoticeKey("123456789012", "nodejs18.x", Phase.DEPRECATION, 30)
    other_account = NoticeKey("210987654321", "python3.10", Phase.DEPRECATION, 30)
    for key in (KEY, other_runtime, other_account):
        channel.deliver(outgoing(key))
    assert files(tmp_path) == sorted(
        [
            f"123456789012/{KEY.token}.eml",
            f"123456789012/{other_runtime.token}.eml",
            f"210987654321/{other_account.token}.eml",
        ]
    )
    channel.close()


def test_a_folder_that_cannot_be_written_is_a_retryable_delivery_error(tmp_path: Path) -> None:
    blocker = tmp_path / "outbox"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(DeliveryError) as raised:
        OutboxChannel(blocker).deliver(outgoing())
    assert raised.value.retryable is True
    assert isinstance(raised.value.__cause__, OSError)
    assert str(blocker) in raised.value.reason


def test_a_failed_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("notifier.channels.outbox.os.replace", refuse)
    with pytest.raises(DeliveryError, match="No space left"):
        OutboxChannel(tmp_path).deliver(outgoing())
    assert files(tmp_path) == []


def test_temporary_files_a_killed_run_left_are_removed_and_nothing_else(tmp_path: Path) -> None:
    stale = tmp_path / "210987654321" / f".{KEY.token}.eml.k3_x9q2z.tmp"
    kept = [
        tmp_path / "notes.tmp",
        tmp_path / ".hidden.tmp",
        tmp_path / "210987654321" / f"{KEY.token}.eml",
        tmp_path / "210987654321" / f".{KEY.token}.eml.draft",
    ]
    for path in [stale, *kept]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"partial")
    channel = OutboxChannel(tmp_path)
    channel.deliver(outgoing())
    assert not stale.exists()
    assert all(path.read_bytes() == b"partial" for path in kept)
    stale.write_bytes(b"partial")  # once per run: not a sweep before every message
    channel.deliver(outgoing())
    assert stale.exists()


@pytest.mark.parametrize("account", ["..", "../etc", "a/b", "", "x\\y"])
def test_an_account_id_that_is_not_a_plain_folder_name_is_refused_for_good(
    tmp_path: Path, account: str
) -> None:
    key = NoticeKey(account, "python3.10", Phase.DEPRECATION, 30)
    with pytest.raises(DeliveryError) as raised:
        OutboxChannel(tmp_path / "outbox").deliver(outgoing(key))
    assert raised.value.retryable is False
    assert files(tmp_path) == []


def test_rendered_notices_land_one_eml_each_and_open_as_mail(tmp_path: Path) -> None:
    renderer, channel = NoticeRenderer(), OutboxChannel(tmp_path)
    for phase, days in SITUATIONS.values():
        sample = notice(phase=phase, days_before=days)
        rendered = renderer.render(sample)
        message_id = sample.key.message_id("notifier.example")
        data = build_message(
            sample,
            rendered,
            message_id=message_id,
            sender="n@example.com",
            sent_at=datetime.now(UTC),
        )
        message = OutgoingEmail(
            sample.key, message_id, "n@example.com", sample.recipients, rendered.subject, data
        )
        channel.deliver(message)
        channel.deliver(message)
    written = sorted(tmp_path.glob("123456789012/*.eml"))
    assert len(written) == len(SITUATIONS) and files(tmp_path) == [
        str(p.relative_to(tmp_path)) for p in written
    ]
    subjects = {
        email.message_from_bytes(p.read_bytes(), policy=default)["Subject"] for p in written
    }
    assert all(s.startswith("[Action required] ") for s in subjects) and len(subjects) == 6
