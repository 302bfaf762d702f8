"""The process-wide secret registry: redaction of text and of log records."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from hub import secrets
from hub.secrets import MASK, MIN_LENGTH, SecretFilter, redact, register


@pytest.fixture(autouse=True)
def _forget_secrets() -> Iterator[None]:
    secrets.clear()
    yield
    secrets.clear()


def test_nothing_is_redacted_before_anything_is_registered() -> None:
    assert redact("password=hunter22") == "password=hunter22"


def test_registered_values_are_masked_wherever_they_appear() -> None:
    register("hunter22")
    assert redact("password=hunter22, again: hunter22!") == f"password={MASK}, again: {MASK}!"


def test_longer_secrets_are_masked_whole_before_shorter_ones_inside_them() -> None:
    register("abcd")
    register("abcdefgh")
    assert redact("abcdefgh") == MASK


def test_values_too_short_to_matter_are_not_masked() -> None:
    register("x" * (MIN_LENGTH - 1))
    register("   ")
    register("")
    assert redact("xxx is fine") == "xxx is fine"


def test_escaped_forms_are_masked_too() -> None:
    value = "pa\"ss\\word's"
    register(value)
    assert value not in redact(value)
    assert redact(repr(value)).count(MASK) == 1
    assert redact(json.dumps(value)).count(MASK) == 1


def test_each_line_of_a_multiline_secret_is_masked() -> None:
    register("-----BEGIN KEY-----\nMIIEvQIBADANBgkq\n-----END KEY-----")
    assert redact("bad key line: MIIEvQIBADANBgkq") == f"bad key line: {MASK}"


def test_regex_characters_in_secrets_are_literal() -> None:
    register("a.b*c(d)")
    assert redact("a.b*c(d) axbbbc(d)") == f"{MASK} axbbbc(d)"


def test_clear_forgets_everything() -> None:
    register("hunter22")
    secrets.clear()
    assert redact("hunter22") == "hunter22"


def test_log_filter_redacts_messages_arguments_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    register("hunter22")
    caplog.handler.addFilter(SecretFilter())
    logger = logging.getLogger("hub.test.secrets")
    with caplog.at_level(logging.INFO, logger="hub.test.secrets"):
        logger.info("connecting with %s", "hunter22")
        logger.info("password hunter22 in the message")
        try:
            raise ValueError("login failed for password hunter22")
        except ValueError:
            logger.exception("connector failed")
    assert "hunter22" not in caplog.text
    assert f"ValueError: login failed for password {MASK}" in caplog.text
    assert [r.getMessage() for r in caplog.records][:2] == [
        f"connecting with {MASK}",
        f"password {MASK} in the message",
    ]


def test_log_filter_leaves_other_records_alone(caplog: pytest.LogCaptureFixture) -> None:
    register("hunter22")
    caplog.handler.addFilter(SecretFilter())
    with caplog.at_level(logging.INFO, logger="hub.test.secrets"):
        logging.getLogger("hub.test.secrets").info("%d records", 5)
    (record,) = caplog.records
    assert record.args == (5,)
    assert record.getMessage() == "5 records"
