"""``hub.units``: durations and sizes as people write them in configs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.errors import ConfigError
from hub.units import parse_duration_ms, parse_size


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("250ms", 250),
        ("30s", 30_000),
        ("5m", 300_000),
        ("2h", 7_200_000),
        ("7d", 604_800_000),
        ("1w", 604_800_000),
        ("1.5s", 1_500),
        ("0.25h", 900_000),
        ("100", 100),
        (" 10 s ", 10_000),
        ("0", 0),
    ],
)
def test_durations_with_units_are_milliseconds(text: str, ms: int) -> None:
    assert parse_duration_ms(text) == ms


@pytest.mark.parametrize(("number", "ms"), [(1500, 1500), (0, 0), (2.0, 2), (-1, -1)])
def test_a_bare_number_is_milliseconds(number: float, ms: int) -> None:
    assert parse_duration_ms(number) == ms


@pytest.mark.parametrize(
    "text", ["", "s", "ten seconds", "5 minutes", "1M", "5S", "-1s", "1e3", "3d4h", "1.s"]
)
def test_malformed_durations_are_rejected_naming_the_setting(text: str) -> None:
    with pytest.raises(ConfigError, match=r"^retention\.ms: .* is not a duration"):
        parse_duration_ms(text, where="retention.ms")


@pytest.mark.parametrize("value", [True, None, [5]])
def test_non_numbers_are_not_durations(value: object) -> None:
    with pytest.raises(ConfigError, match="expected a duration"):
        parse_duration_ms(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("512", 512),
        ("512B", 512),
        ("512b", 512),
        ("1KB", 1000),
        ("1kb", 1000),
        ("1K", 1000),
        ("64KiB", 64 * 1024),
        ("4MiB", 4 << 20),
        ("4mib", 4 << 20),
        ("1MB", 1_000_000),
        ("2GiB", 2 << 30),
        ("1GB", 10**9),
        ("1TiB", 1 << 40),
        ("1TB", 10**12),
        ("1.5KiB", 1536),
        ("0.5 MiB", 512 * 1024),
        (" 7 ", 7),
    ],
)
def test_sizes_take_decimal_and_binary_units(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize(("number", "size"), [(4096, 4096), (1e6, 1_000_000), (0, 0)])
def test_a_bare_number_is_bytes(number: float, size: int) -> None:
    assert parse_size(number) == size


@pytest.mark.parametrize("text", ["", "MiB", "lots", "1 parsec", "-1KiB", "1PiB", "1XB", "1e6"])
def test_malformed_sizes_are_rejected_naming_the_setting(text: str) -> None:
    with pytest.raises(ConfigError, match=r"^segment\.bytes: .* is not a size"):
        parse_size(text, where="segment.bytes")


@pytest.mark.parametrize("value", [False, None, {"MiB": 4}])
def test_non_numbers_are_not_sizes(value: object) -> None:
    with pytest.raises(ConfigError, match="expected a size"):
        parse_size(value)  # type: ignore[arg-type]


UNIT_BYTES = {
    "B": 1,
    "KB": 10**3,
    "KiB": 2**10,
    "MB": 10**6,
    "MiB": 2**20,
    "GB": 10**9,
    "GiB": 2**30,
}
UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}


@given(st.integers(0, 10**30), st.sampled_from(sorted(UNIT_BYTES)))
def test_whole_sizes_are_exact_however_large(number: int, unit: str) -> None:
    assert parse_size(f"{number}{unit}") == number * UNIT_BYTES[unit]


@given(st.integers(0, 10**30), st.sampled_from(sorted(UNIT_MS)))
def test_whole_durations_are_exact_however_large(number: int, unit: str) -> None:
    assert parse_duration_ms(f"{number}{unit}") == number * UNIT_MS[unit]


@given(st.integers(0, 10**6), st.integers(0, 999), st.sampled_from(["KiB", "MiB"]))
def test_fractional_sizes_round_down_to_whole_bytes(
    whole: int, thousandths: int, unit: str
) -> None:
    exact = (whole * 1000 + thousandths) * UNIT_BYTES[unit]

    assert parse_size(f"{whole}.{thousandths:03d}{unit}") == exact // 1000
