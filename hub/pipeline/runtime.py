"""Running pipelines: source and sink tasks on threads, scheduled sources on APScheduler.

Sources and sinks run at the same time, so records stream from one to the other through the
log. ``once`` runs every source until it is caught up, then lets each sink drain up to the log
ends seen at that moment, flush and commit, and returns. Otherwise everything runs until
``stop`` is set, then stops gracefully: sources checkpoint, sinks flush and commit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hub.connector_config import validate_config
from hub.log.base import Log
from hub.pipeline.chain import TransformChain
from hub.pipeline.sink_task import SinkTask
from hub.pipeline.source_task import SourceTask
from hub.pipeline.spec import PipelineSpec, SinkSpec, SourceSpec
from hub.pipeline.status import State, TaskStatus
from hub.pipeline.task import TaskEnv
from hub.plugins import Kind, Registry, registry
from hub.store import Store

log = logging.getLogger(__name__)

IDLE_MIN_S = 0.01
IDLE_MAX_S = 0.5


@dataclass(slots=True)
class RunResult:
    statuses: list[TaskStatus] = field(default_factory=list)

    @property
    def failed(self) -> list[TaskStatus]:
        return [s for s in self.statuses if s.state is State.FAILED]


class Runtime:
    """Runs a set of pipelines against one log and one store."""

    def __init__(
        self,
        pipelines: Sequence[PipelineSpec],
        log_: Log,
        store: Store,
        *,
        plugins: Registry | None = None,
    ) -> None:
        self.pipelines = list(pipelines)
        self.log = log_
        self.store = store
        self.plugins = plugins or registry()
        self.stop = threading.Event()
        self.sources: list[SourceTask] = []
        self.sinks: list[SinkTask] = []
        self._sources_done = threading.Event()

    @property
    def statuses(self) -> list[TaskStatus]:
        return [t.status for t in self.sources] + [t.status for t in self.sinks]

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        from hub.registry import Registry

        registry = Registry(self.store)
        for pipeline in self.pipelines:
            env = TaskEnv(
                pipeline.name, self.log, self.store, self.stop, registry, pipeline.schemas
            )
            for binding in pipeline.schemas.values():
                if binding.level or binding.policy:
                    registry.set_config(
                        binding.subject, compatibility=binding.level, policy=binding.policy
                    )
            for topic, topic_config in pipeline.topics.items():
                self.log.create_topic(topic, topic_config, exist_ok=True)
            for source in pipeline.sources:
                self._create_topics(source.topic, source.errors.dead_letter_topic)
                cls, config = self._connector("source", source)
                self.sources += [
                    SourceTask(env, source, task, cls(), config, self._chain(source))
                    for task in range(source.tasks)
                ]
            for sink in pipeline.sinks:
                self._create_topics(*sink.topics, sink.errors.dead_letter_topic)
                cls, config = self._connector("sink", sink)
                self.sinks += [
                    SinkTask(env, sink, task, cls(), config, self._chain(sink))
                    for task in range(sink.tasks)
                ]

    def _create_topics(self, *topics: str | None) -> None:
        for topic in topics:
            if topic:
                self.log.create_topic(topic, exist_ok=True)

    def _connector(self, kind: Kind, spec: SourceSpec | SinkSpec) -> tuple[Any, dict[str, Any]]:
        """The connector class and its validated config."""
        cls = self.plugins.get(kind, spec.type).cls
        return cls, validate_config(cls, spec.config, where=f"{kind} {spec.name!r}")

    def _chain(self, spec: SourceSpec | SinkSpec) -> TransformChain:
        """Each task gets its own transforms: tasks run on threads of their own."""
        return TransformChain(spec.transforms, self.plugins)

    # -- running -------------------------------------------------------------------------------
    def run(self, *, once: bool = False) -> RunResult:
        """Run until done (``once``) or until ``stop`` is set; return every task's status."""
        self._build()
        threads = [
            threading.Thread(target=self._run_sink, args=(t, once), name=f"sink-{t.status.name}")
            for t in self.sinks
        ]
        scheduler = None
        continuous = [t for t in self.sources if once or t.spec.schedule is None]
        scheduled = [t for t in self.sources if not once and t.spec.schedule is not None]
        threads += [
            threading.Thread(
                target=self._run_source, args=(t, once), name=f"source-{t.status.name}"
            )
            for t in continuous
        ]
        if scheduled:
            scheduler = _start_scheduler(scheduled, self._scheduled_run)
        for thread in threads:
            thread.start()
        source_threads = threads[len(self.sinks) :]
        try:
            for thread in source_threads:
                while thread.is_alive():
                    thread.join(0.2)
            if scheduler is not None:  # scheduled sources run until the pipeline is stopped
                while not self.stop.wait(0.2):
                    pass
            self._sources_done.set()
            for thread in threads[: len(self.sinks)]:
                while thread.is_alive():
                    thread.join(0.2)
        except KeyboardInterrupt:
            self.stop.set()
            for thread in threads:
                thread.join()
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=True)
                for task in scheduled:
                    _close(task.close, task.status)
        return RunResult(self.statuses)

    def _run_source(self, task: SourceTask, once: bool) -> None:
        status = task.status
        try:
            task.open()
            idle = IDLE_MIN_S
            while not self.stop.is_set():
                if task.poll_once():
                    idle = IDLE_MIN_S
                    status.state = State.RUNNING
                    continue
                if once:
                    break
                status.state = State.IDLE
                self.stop.wait(idle)
                idle = min(idle * 2, IDLE_MAX_S)
            status.state = State.DONE if once and not self.stop.is_set() else State.STOPPED
        except Exception as exc:
            _report(status, exc)
        finally:
            _close(task.close, status)

    def _scheduled_run(self, task: SourceTask) -> None:
        """One scheduled run: poll until caught up (APScheduler never overlaps two runs)."""
        status = task.status
        if status.state is State.FAILED:
            return
        try:
            if status.state is State.STARTING:
                task.open()
            status.state = State.RUNNING
            while not self.stop.is_set() and task.poll_once():
                pass
            status.state = State.IDLE
        except Exception as exc:
            _report(status, exc)

    def _run_sink(self, task: SinkTask, once: bool) -> None:
        status = task.status
        try:
            task.open()
            idle = IDLE_MIN_S
            while not self.stop.is_set():
                if once and self._sources_done.is_set():
                    if task.targets is None:  # the log ends now are where this run stops
                        task.drain_to_log_end()
                    if task.drained:
                        break
                if task.run_once():
                    idle = IDLE_MIN_S
                    status.state = State.RUNNING
                    continue
                status.state = State.IDLE
                wait = task.idle_wait(idle)
                if not task.wait_for_records(wait):
                    self.stop.wait(wait)
                task.maybe_flush()
                idle = min(idle * 2, IDLE_MAX_S)
            task.flush()
            status.state = State.DONE if task.targets is not None else State.STOPPED
        except Exception as exc:
            _report(status, exc)
        finally:
            _close(task.close, status)


def _report(status: TaskStatus, exc: BaseException) -> None:
    status.fail(exc)
    log.error("%s %s failed: %s", status.kind, status.name, status.error)


def _close(close: Callable[[], None], status: TaskStatus) -> None:
    try:
        close()
    except Exception as exc:
        if status.state is not State.FAILED:
            _report(status, exc)


def _start_scheduler(tasks: list[SourceTask], run: Callable[[SourceTask], None]) -> Any:
    """APScheduler 3 in the background: ``every`` as an interval, ``cron`` as a crontab."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler = BackgroundScheduler(executors={"default": ThreadPoolExecutor(max(len(tasks), 1))})
    for task in tasks:
        schedule = task.spec.schedule
        assert schedule is not None
        trigger = (
            CronTrigger.from_crontab(schedule.cron)
            if schedule.cron
            else IntervalTrigger(seconds=(schedule.every_ms or 1000) / 1000)
        )
        scheduler.add_job(
            run,
            trigger,
            args=[task],
            id=task.status.name,
            max_instances=1,  # a slow poll never overlaps itself
            coalesce=True,
            next_run_time=_now(),  # and a first run right away
        )
    scheduler.start()
    return scheduler


def _now() -> object:
    from datetime import UTC, datetime

    return datetime.now(UTC)
