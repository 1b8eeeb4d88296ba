"""The [smtp], [ses] and [delivery] settings: defaults, checks, and a password never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifier.config import load_settings
from notifier.core.errors import ConfigError


def test_the_defaults_are_starttls_on_587_with_three_tries() -> None:
    delivery = load_settings(None, {}).delivery
    assert (delivery.smtp.security, delivery.smtp.port, delivery.smtp.connections) == (
        "starttls",
        587,
        1,
    )
    assert delivery.retry.max_attempts == 3 and delivery.ses.max_send_rate is None


@pytest.mark.parametrize(("security", "port"), [("tls", 465), ("plain", 25), ("starttls", 587)])
def test_the_port_defaults_to_the_security_modes_own(
    tmp_path: Path, security: str, port: int
) -> None:
    path = tmp_path / "n.toml"
    path.write_text(f'[smtp]\nsecurity = "{security}"\n')
    settings = load_settings(path, {})
    assert settings.delivery.smtp.port == port


def test_every_section_is_read(tmp_path: Path) -> None:
    path = tmp_path / "n.toml"
    path.write_text(
        '[smtp]\nhost = "relay.example.com"\nport = 2525\nsecurity = "tls"\nusername = "u"\n'
        "timeout = 7.5\nconnections = 4\n"
        '[ses]\nregion = "eu-west-1"\nendpoint_url = "http://127.0.0.1:1"\n'
        'configuration_set = "notices"\nmax_send_rate = 14\ntags = false\n'
        "[delivery]\nmax_attempts = 5\nbackoff_base = 2\nbackoff_max = 60\n"
    )
    d = load_settings(path, {"NOTIFIER_SMTP_PASSWORD": "from-env"}).delivery
    assert (d.smtp.host, d.smtp.port, d.smtp.security, d.smtp.timeout) == (
        "relay.example.com",
        2525,
        "tls",
        7.5,
    )
    assert (d.smtp.connections, d.smtp.password) == (4, "from-env")
    assert (d.ses.region, d.ses.configuration_set, d.ses.max_send_rate, d.ses.tags) == (
        "eu-west-1",
        "notices",
        14.0,
        False,
    )
    assert (d.retry.max_attempts, d.retry.backoff_base, d.retry.backoff_max) == (5, 2.0, 60.0)
    assert "from-env" not in repr(d)


def test_bad_values_are_reported_all_at_once_without_the_password(tmp_path: Path) -> None:
    path = tmp_path / "n.toml"
    path.write_text(
        '[smtp]\nsecurity = "ssl"\nconnections = 0\npassword = 12345678\n'
        "[delivery]\nmax_attempts = -1\n"
    )
    with pytest.raises(ConfigError) as failure:
        load_settings(path, {})
    lines = failure.value.lines()
    fields = [line.split(": ")[1] for line in lines]
    assert fields == ["smtp.security", "smtp.password", "smtp.connections", "delivery.max_attempts"]
    assert "12345678" not in str(failure.value)


def test_a_port_from_the_environment_is_a_number() -> None:
    settings = load_settings(None, {"NOTIFIER_SMTP_PORT": "2525"})
    assert settings.delivery.smtp.port == 2525
