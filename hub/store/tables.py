"""Every table of the metadata store, on one ``MetaData``.

Later features (source offsets, pipeline configs, task status, the schema registry) add their
tables here, so that ``metadata.create_all`` and the schema version cover the whole store. Table
names start with ``hub_`` because a shared PostgreSQL database may hold other applications'
tables; column names avoid SQL keywords (``group``, ``partition``, ``offset``) so the tables are
easy to query by hand.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.mysql import VARCHAR

# Explicit constraint names keep future migrations (ALTER ... DROP CONSTRAINT) portable.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Long enough for any Kafka topic name (249) and for group ids in practice; 2 x 255 characters
# still fit MySQL's 3072-byte key limit in utf8mb4.
NAME_LENGTH = 255

# Names are case-sensitive, as in Kafka: MySQL's default collation would make "Orders" and
# "orders" the same key.
Name = String(NAME_LENGTH).with_variant(
    VARCHAR(NAME_LENGTH, collation="utf8mb4_bin"), "mysql", "mariadb"
)

metadata = MetaData(naming_convention=NAMING_CONVENTION)

schema_info = Table(
    "hub_schema",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
    comment="One row (id 1): the schema version this store was created or migrated to.",
)

group_offsets = Table(
    "hub_group_offsets",
    metadata,
    Column("group_id", Name, primary_key=True),
    Column("topic", Name, primary_key=True),
    Column("partition_id", Integer, primary_key=True, autoincrement=False),
    Column("next_offset", BigInteger, nullable=False, comment="The next record to consume."),
    Column("metadata", Text, nullable=True),
    Column("committed_ms", BigInteger, nullable=False, comment="Commit time, ms since the epoch."),
    Index(None, "topic"),
    comment="Consumer group offsets, Kafka's semantics: the offset of the next record to read.",
)

source_checkpoints = Table(
    "hub_source_checkpoints",
    metadata,
    Column("pipeline", Name, primary_key=True),
    Column("connector", Name, primary_key=True),
    Column("task", Integer, primary_key=True, autoincrement=False),
    Column("checkpoint", Text, nullable=False, comment="JSON: sequence, source offsets, log ends."),
    Column("updated_ms", BigInteger, nullable=False, comment="Write time, ms since the epoch."),
    comment="Where each source task is: checkpointed only after its records are durable.",
)

registry_schemas = Table(
    "hub_registry_schemas",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("fingerprint", String(64), nullable=False, comment="SHA-256 of the normalized schema."),
    Column("schema_type", String(16), nullable=False),
    Column("schema_text", Text, nullable=False, comment="The schema as first registered."),
    UniqueConstraint("fingerprint"),
    comment="Schema registry: every distinct schema once, under its global id.",
)

registry_versions = Table(
    "hub_registry_versions",
    metadata,
    Column("subject", Name, primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("schema_id", Integer, nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("registered_ms", BigInteger, nullable=False),
    Index(None, "schema_id"),
    comment="Schema registry: the versions of each subject; soft deletes keep the row.",
)

registry_settings = Table(
    "hub_registry_settings",
    metadata,
    Column("subject", Name, primary_key=True, comment="'' holds the global settings."),
    Column("compatibility", String(32), nullable=True),
    Column("policy", String(16), nullable=True, comment="STRICT or LENIENT JSON Schema rules."),
    Column("mode", String(16), nullable=True),
    comment="Schema registry: compatibility level, policy and mode, global and per subject.",
)
