"""The partitioned, durable message log: the ``Log`` contract and its embedded backend."""

from __future__ import annotations

from hub.log.base import Log, PartitionInfo, TopicDescription
from hub.log.config import TopicConfig
from hub.log.local import LocalLog
from hub.log.partitioner import murmur2, partition_for_key
from hub.log.recordbatch import EncodedBatch, RecordBatch, encode_batch, encode_batch_parts

__all__ = [
    "EncodedBatch",
    "LocalLog",
    "Log",
    "PartitionInfo",
    "RecordBatch",
    "TopicConfig",
    "TopicDescription",
    "encode_batch",
    "encode_batch_parts",
    "murmur2",
    "partition_for_key",
]
