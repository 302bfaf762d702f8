"""What source and sink tasks share: their place in the runtime, status, retries, dead letters."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from hub.log.base import Log
from hub.pipeline.chain import TransformChain
from hub.pipeline.deadletter import DeadLetters
from hub.pipeline.retry import retrying
from hub.pipeline.spec import SinkSpec, SourceSpec, TopicSchema
from hub.pipeline.status import TaskStatus
from hub.store import Store

if TYPE_CHECKING:
    from hub.registry import Registry

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class TaskEnv:
    """The runtime's shared parts every task works with."""

    pipeline: str
    log: Log
    store: Store
    stop: threading.Event
    registry: Registry | None = None
    schemas: Mapping[str, TopicSchema] = field(default_factory=dict)


class Task:
    """One task of one connector, driven by one thread at a time."""

    kind: ClassVar[str]

    def __init__(
        self,
        env: TaskEnv,
        spec: SourceSpec | SinkSpec,
        task: int,
        config: dict[str, Any],
        chain: TransformChain,
    ) -> None:
        self.spec = spec
        self.pipeline = env.pipeline
        self.log = env.log
        self.store = env.store
        self.stop = env.stop
        self.registry = env.registry
        self.task = task
        self.config = config
        self.chain = chain
        self.status = TaskStatus(env.pipeline, spec.name, self.kind, task)
        self.dead_letters = (
            DeadLetters(env.log, spec.errors.dead_letter_topic, env.pipeline, spec.name)
            if spec.errors.dead_letter_topic
            else None
        )

    def _retry(self, action: Callable[[], T], what: str) -> T:
        """Run ``action``, retrying ``RetriableError`` as the connector's errors policy says."""
        return retrying(
            action,
            what=f"{self.kind} {self.spec.name!r} task {self.task}: {what}",
            timeout_ms=self.spec.errors.retry_timeout_ms,
            max_backoff_ms=self.spec.errors.max_backoff_ms,
            stop=self.stop,
        )
