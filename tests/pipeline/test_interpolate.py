"""``${env:}``, ``${env::-}`` and ``${file:}`` references, on their own (the loader's use of them is
tested in ``test_loader``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hub import secrets
from hub.errors import ConfigError
from hub.pipeline.interpolate import MAX_FILE_BYTES, interpolate, resolve


@pytest.fixture(autouse=True)
def _forget_secrets() -> Iterator[None]:
    yield
    secrets.clear()


def test_env_reference_is_replaced_by_the_variable(tmp_path: Path) -> None:
    resolved = resolve("${env:DB_USER}", base_dir=tmp_path, environ={"DB_USER": "loader-bot"})
    assert resolved.text == "loader-bot"
    assert resolved.secret
    assert resolved.whole
    assert resolved.references == ("${env:DB_USER}",)


def test_references_inside_a_longer_string_are_each_replaced(tmp_path: Path) -> None:
    environ = {"HOST": "db.internal", "PORT": "5432"}
    resolved = resolve("postgresql://${env:HOST}:${env:PORT}/x", base_dir=tmp_path, environ=environ)
    assert resolved.text == "postgresql://db.internal:5432/x"
    assert not resolved.whole
    assert resolved.references == ("${env:HOST}", "${env:PORT}")


def test_default_is_used_when_the_variable_is_unset_or_empty(tmp_path: Path) -> None:
    unset = resolve("${env:LEVEL:-info}", base_dir=tmp_path, environ={})
    empty = resolve("${env:LEVEL:-info}", base_dir=tmp_path, environ={"LEVEL": ""})
    assert unset.text == empty.text == "info"
    assert not unset.secret, "a default is written in the file: nothing to hide"


def test_default_may_be_empty_or_contain_colons(tmp_path: Path) -> None:
    assert resolve("${env:X:-}", base_dir=tmp_path, environ={}).text == ""
    assert resolve("${env:X:-a:b-c}", base_dir=tmp_path, environ={}).text == "a:b-c"


def test_a_set_variable_wins_over_the_default(tmp_path: Path) -> None:
    resolved = resolve("${env:LEVEL:-info}", base_dir=tmp_path, environ={"LEVEL": "debug"})
    assert resolved.text == "debug"
    assert resolved.secret


def test_an_empty_variable_without_default_is_empty_text(tmp_path: Path) -> None:
    assert resolve("${env:X}", base_dir=tmp_path, environ={"X": ""}).text == ""


def test_missing_variable_names_it_and_suggests_a_default(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve("${env:API_TOKEN}", base_dir=tmp_path, environ={})
    (problem,) = caught.value.problems
    assert "environment variable API_TOKEN is not set" in problem
    assert "${env:API_TOKEN:-value}" in problem


def test_every_failing_reference_of_a_string_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve("${env:A}/${env:B}/${file:nope.txt}", base_dir=tmp_path, environ={})
    problems = caught.value.problems
    assert len(problems) == 3
    assert "A is not set" in problems[0]
    assert "B is not set" in problems[1]
    assert "nope.txt" in problems[2]


def test_os_environ_is_the_default_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_TEST_REGION", "eu-west-1")
    assert resolve("${env:HUB_TEST_REGION}", base_dir=tmp_path).text == "eu-west-1"


def test_file_reference_reads_the_file_relative_to_the_base_dir(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "db.txt").write_text("s3cr3t-pass\n")
    resolved = resolve("${file:secrets/db.txt}", base_dir=tmp_path)
    assert resolved.text == "s3cr3t-pass", "one trailing newline is dropped"
    assert resolved.secret


def test_file_reference_keeps_inner_and_all_but_one_trailing_newlines(tmp_path: Path) -> None:
    (tmp_path / "key.pem").write_text("-----BEGIN-----\nabc\n-----END-----\n\n")
    text = resolve("${file:key.pem}", base_dir=tmp_path).text
    assert text == "-----BEGIN-----\nabc\n-----END-----\n"


def test_file_reference_accepts_an_absolute_path(tmp_path: Path) -> None:
    secret = tmp_path / "abs.txt"
    secret.write_text("absolute-value")
    assert resolve(f"${{file:{secret}}}", base_dir=Path("/nonexistent")).text == "absolute-value"


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda d: None, "does not exist"),
        (lambda d: (d / "db.txt").mkdir(), "is a directory"),
        (lambda d: (d / "db.txt").write_bytes(b"\xff\xfe\x00binary"), "is not UTF-8 text"),
        (lambda d: (d / "db.txt").write_bytes(b"x" * (MAX_FILE_BYTES + 1)), "larger than"),
    ],
)
def test_unusable_secret_file_is_named_never_shown(
    tmp_path: Path, setup: object, expected: str
) -> None:
    setup(tmp_path)  # type: ignore[operator]
    with pytest.raises(ConfigError) as caught:
        resolve("${file:db.txt}", base_dir=tmp_path)
    (problem,) = caught.value.problems
    assert "secret file db.txt" in problem
    assert expected in problem
    assert "binary" not in problem


def test_double_dollar_escapes_a_reference(tmp_path: Path) -> None:
    resolved = resolve("$${env:HOME} and $${file:x}", base_dir=tmp_path, environ={})
    assert resolved.text == "${env:HOME} and ${file:x}"
    assert not resolved.secret
    assert not resolved.whole


def test_other_dollar_braces_are_left_for_templates(tmp_path: Path) -> None:
    text = "orders.${region}.${record:id} costs $5"
    assert resolve(text, base_dir=tmp_path, environ={}).text == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${env:1BAD}", "is not a valid reference"),
        ("${env:}", "is not a valid reference"),
        ("${env:A B}", "is not a valid reference"),
        ("${env:NAME", "is not closed"),
        ("${file:}", "names no file"),
    ],
)
def test_malformed_references_are_errors_that_show_the_syntax(
    tmp_path: Path, text: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve(text, base_dir=tmp_path, environ={"A": "x"})
    (problem,) = caught.value.problems
    assert expected in problem
    assert "${env:NAME:-default}" in problem


def test_resolved_values_are_registered_as_secrets(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("file-token-value")
    resolve(
        "${env:PASSWORD} ${file:token} ${env:UNSET:-default-value}",
        base_dir=tmp_path,
        environ={"PASSWORD": "env-password-value"},
    )
    redacted = secrets.redact("env-password-value file-token-value default-value")
    assert redacted == "*** *** default-value"


def test_a_value_is_not_resolved_again(tmp_path: Path) -> None:
    environ = {"A": "${env:B}", "B": "nested"}
    assert resolve("${env:A}", base_dir=tmp_path, environ=environ).text == "${env:B}"


def test_interpolate_resolves_strings_nested_in_lists_and_mappings(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("from-file")
    data = {
        "url": "${env:URL}",
        "tables": ["${env:SCHEMA}.orders", {"name": "${env:SCHEMA}.items", "rows": 3}],
        "auth": {"password": "${file:pw}", "enabled": True},
        "literal": "$${env:URL}",
    }
    environ = {"URL": "https://x.test", "SCHEMA": "shop"}
    assert interpolate(data, base_dir=tmp_path, environ=environ) == {
        "url": "https://x.test",
        "tables": ["shop.orders", {"name": "shop.items", "rows": 3}],
        "auth": {"password": "from-file", "enabled": True},
        "literal": "${env:URL}",
    }


def test_interpolate_reports_every_failure_with_its_path(tmp_path: Path) -> None:
    data = {"a": ["ok", "${env:MISSING_ONE}"], "b": {"c": "${file:missing.txt}"}}
    with pytest.raises(ConfigError) as caught:
        interpolate(data, base_dir=tmp_path, environ={})
    problems = caught.value.problems
    assert problems[0].startswith("a[1]: environment variable MISSING_ONE is not set")
    assert problems[1].startswith("b.c: secret file missing.txt")
