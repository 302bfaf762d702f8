"""The store's contract, run against SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.store import Store
from hub.store.tables import group_offsets
from tests.conftest import StoreTarget


def test_committed_offsets_are_read_back(store: Store) -> None:
    store.commit_offsets("billing", {("orders", 0): 5, ("orders", 1): 7, ("refunds", 0): 1})

    assert store.committed_offsets("billing") == {
        ("orders", 0): 5,
        ("orders", 1): 7,
        ("refunds", 0): 1,
    }


def test_committed_offsets_can_be_limited_to_one_topic(store: Store) -> None:
    store.commit_offsets("billing", {("orders", 0): 5, ("refunds", 0): 1})

    assert store.committed_offsets("billing", "orders") == {("orders", 0): 5}


def test_a_later_commit_overwrites_only_the_partitions_it_names(store: Store) -> None:
    store.commit_offsets("billing", {("orders", 0): 5, ("orders", 1): 7})
    store.commit_offsets("billing", {("orders", 0): 9, ("orders", 2): 3})

    assert store.committed_offsets("billing") == {
        ("orders", 0): 9,
        ("orders", 1): 7,
        ("orders", 2): 3,
    }


def test_commit_records_metadata_and_commit_time(store: Store) -> None:
    store.commit_offsets("billing", {("orders", 0): 5}, metadata="first")
    store.commit_offsets("billing", {("orders", 0): 6}, metadata="second")

    with store.engine.connect() as connection:
        row = connection.execute(select(group_offsets)).one()
    assert row.next_offset == 6
    assert row.metadata == "second"
    assert row.committed_ms > 1_600_000_000_000


def test_unknown_group_has_no_committed_offsets(store: Store) -> None:
    assert store.committed_offsets("nobody") == {}


def test_committing_nothing_changes_nothing(store: Store) -> None:
    store.commit_offsets("billing", {})

    assert store.list_groups() == []


@pytest.mark.parametrize("offset", [-1, 1 << 63])
def test_an_offset_outside_the_log_offset_range_is_rejected(store: Store, offset: int) -> None:
    with pytest.raises(ValueError, match="not a log offset"):
        store.commit_offsets("billing", {("orders", 0): offset})


def test_groups_are_listed_once_each_and_sorted(store: Store) -> None:
    store.commit_offsets("shipping", {("orders", 0): 1, ("orders", 1): 1})
    store.commit_offsets("billing", {("orders", 0): 1, ("refunds", 0): 1})

    assert store.list_groups() == ["billing", "shipping"]


def test_group_and_topic_names_are_case_sensitive(store: Store) -> None:
    store.commit_offsets("billing", {("orders", 0): 1})
    store.commit_offsets("Billing", {("Orders", 0): 2})

    assert store.committed_offsets("billing") == {("orders", 0): 1}
    assert store.committed_offsets("Billing") == {("Orders", 0): 2}


def test_deleting_a_group_forgets_only_that_group(store: Store) -> None:
    store.commit_offsets("billing", {("orders", 0): 1, ("orders", 1): 1})
    store.commit_offsets("shipping", {("orders", 0): 1})

    assert store.delete_group("billing") == 2
    assert store.delete_group("billing") == 0
    assert store.list_groups() == ["shipping"]


def test_deleting_a_topics_offsets_affects_every_group(store: Store) -> None:
    store.commit_offsets("billing", {("orders", 0): 1, ("refunds", 0): 4})
    store.commit_offsets("shipping", {("orders", 0): 2})

    assert store.delete_topic_offsets("orders") == 2
    assert store.committed_offsets("billing") == {("refunds", 0): 4}
    assert store.list_groups() == ["billing"]


def test_offsets_survive_reopening_the_store(store_target: StoreTarget) -> None:
    with store_target.open() as store:
        store.commit_offsets("billing", {("orders", 0): 5})

    with store_target.open() as store:
        assert store.committed_offsets("billing") == {("orders", 0): 5}


def test_closing_twice_is_harmless(store_target: StoreTarget) -> None:
    store = store_target.open()
    store.close()
    store.close()
