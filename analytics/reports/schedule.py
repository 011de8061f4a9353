"""Run reports on a cron schedule with APScheduler until stopped.

Cron expressions follow crontab(5): ``minute hour day-of-month month day-of-week``,
with Sunday as 0 or 7, and a job that fires when either day field matches if both are
restricted. APScheduler 3's own ``CronTrigger.from_crontab`` counts weekdays from
Monday and requires both day fields to match, so the expression is translated here.
An optional sixth field in front gives seconds, and the shorthands ``@hourly``,
``@daily``, ``@weekly``, ``@monthly`` and ``@yearly`` are accepted.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, SchedulerEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

from analytics.errors import InvalidInputError
from analytics.wording import count_phrase

logger = logging.getLogger(__name__)

SHORTHANDS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
# crontab(5) weekday numbers, Sunday first, as APScheduler's names.
WEEKDAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
MISFIRE_GRACE_SECONDS = 300  # a run delayed by less than this (busy machine) still happens


def parse_cron(expression: str, timezone: tzinfo | str | None = None) -> BaseTrigger:
    """Return an APScheduler trigger for a crontab expression; raise InvalidInputError
    naming the expression and the expected form when it is not valid."""
    text = " ".join(str(expression).split())
    fields = SHORTHANDS.get(text.lower(), text).split()
    if len(fields) not in (5, 6):
        raise InvalidInputError(
            f"Invalid cron expression {expression!r}: expected 5 fields "
            "(minute hour day-of-month month day-of-week), optionally with seconds in "
            "front, or @hourly, @daily, @weekly, @monthly or @yearly."
        )
    second = fields[0] if len(fields) == 6 else "0"
    minute, hour, day, month, day_of_week = fields[-5:]
    try:
        weekdays = _crontab_weekdays(day_of_week)
        common = {
            "second": second,
            "minute": minute,
            "hour": hour,
            "month": month,
            "timezone": timezone,
        }
        if day != "*" and weekdays != "*":
            # crontab fires when either day field matches; APScheduler requires both.
            return OrTrigger(
                [CronTrigger(day=day, **common), CronTrigger(day_of_week=weekdays, **common)]
            )
        return CronTrigger(day=day, day_of_week=weekdays, **common)
    except ValueError as error:
        raise InvalidInputError(f"Invalid cron expression {expression!r}: {error}.") from None


def _crontab_weekdays(field: str) -> str:
    """Translate a crontab day-of-week field into APScheduler's weekday names."""
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        match = re.fullmatch(
            r"(\*|\d{1,2}|[a-zA-Z]{3})(?:-(\d{1,2}|[a-zA-Z]{3}))?(?:/(\d+))?", part
        )
        if not match:
            raise ValueError(f"day-of-week {field!r} is not a list of days, ranges or steps")
        first, last, step = match.groups()
        if first == "*":
            start, end = 0, 6
        else:
            start = _weekday_number(first)
            if last:
                end = _weekday_number(last)
                if end == 0 and last == "7":
                    end = 7  # "5-7" runs Friday to Sunday
            elif step:
                end = 6  # "1/2" runs from Monday to the end of the week
            else:
                end = start
        stride = int(step) if step else 1
        if stride < 1:
            raise ValueError(f"day-of-week step in {field!r} must be at least 1")
        if end < start:
            raise ValueError(f"day-of-week range {part!r} runs backwards")
        days.update(day % 7 for day in range(start, end + 1, stride))
    return ",".join(WEEKDAY_NAMES[day] for day in sorted(days))


def _weekday_number(token: str) -> int:
    if token.isdigit():
        number = int(token)
        if number > 7:
            raise ValueError(f"day-of-week {token!r} is outside 0-7")
        return number
    name = token.lower()
    if name not in WEEKDAY_NAMES:
        raise ValueError(f"day-of-week {token!r} is not a day name such as mon")
    return WEEKDAY_NAMES.index(name)


def next_fire_times(trigger: BaseTrigger, start: datetime, count: int) -> list[datetime]:
    """Return the next ``count`` fire times of ``trigger`` after ``start``."""
    times: list[datetime] = []
    previous = None
    now = start
    while len(times) < count:
        fire = trigger.get_next_fire_time(previous, now)
        if fire is None:
            break
        times.append(fire)
        previous = fire
        now = fire + timedelta(microseconds=1)
    return times


@dataclass(frozen=True)
class RunResult:
    """Outcome of one scheduled run."""

    number: int
    started_at: datetime
    finished_at: datetime
    ok: bool
    detail: str  # the written paths, or the error message


class ReportScheduler:
    """Runs ``job`` at each fire time of ``trigger`` until :meth:`stop` is called.

    A run that raises is logged and the schedule goes on; the next fire time retries.
    ``clock`` supplies the start and end times of each run; ``on_result`` hears about
    every finished run (tests use it to act between runs).
    """

    def __init__(
        self,
        trigger: BaseTrigger,
        job: Callable[[], str],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_result: Callable[[RunResult], None] | None = None,
    ) -> None:
        self._trigger = trigger
        self._job = job
        self._clock = clock
        self._on_result = on_result
        self._runs = 0
        self._runs_lock = threading.Lock()
        self._stopped = threading.Event()
        self._scheduler = BackgroundScheduler(
            job_defaults={
                "coalesce": True,  # after a long pause, run once rather than many times
                "max_instances": 1,  # a run still going when the next fires makes it skip
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            }
        )
        self._scheduler.add_listener(self._log_skipped, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)

    def start(self) -> None:
        """Start firing in a background thread and return."""
        self._scheduler.add_job(self._run_once, self._trigger, id="report", name="report")
        self._scheduler.start()
        job = self._scheduler.get_job("report")
        logger.info(
            "Report schedule started; next run at %s", job.next_run_time if job else "never"
        )

    def run_until_stopped(self, wait: Callable[[threading.Event], None] | None = None) -> None:
        """Start, block until :meth:`stop` (or ``wait`` returns), then shut down after any
        run in progress has finished."""
        self.start()
        try:
            if wait is None:
                self._stopped.wait()
            else:
                wait(self._stopped)
        finally:
            self.shutdown()

    def stop(self) -> None:
        """Ask the schedule to stop; safe to call from another thread."""
        self._stopped.set()

    def shutdown(self) -> None:
        """Stop firing and wait for a run in progress to finish."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
            logger.info("Report schedule stopped after %s", count_phrase(self._runs, "run"))

    @property
    def runs(self) -> int:
        return self._runs

    def _run_once(self) -> None:
        with self._runs_lock:
            self._runs += 1
            number = self._runs
        started = self._clock()
        logger.info("Report run %d started", number)
        monotonic_start = time.monotonic()
        try:
            detail = self._job()
            ok = True
            logger.info(
                "Report run %d finished in %.1f s: %s",
                number,
                time.monotonic() - monotonic_start,
                detail,
            )
        except Exception as error:  # noqa: BLE001 - one failed run must not end the schedule
            ok = False
            detail = f"{type(error).__name__}: {error}"
            logger.error(
                "Report run %d failed (the next scheduled run will try again): %s", number, detail
            )
            logger.debug("Report run %d traceback", number, exc_info=True)
        result = RunResult(number, started, self._clock(), ok, detail)
        if self._on_result is not None:
            self._on_result(result)

    def _log_skipped(self, event: SchedulerEvent) -> None:
        due = getattr(event, "scheduled_run_time", None) or getattr(
            event, "scheduled_run_times", None
        )
        if event.code == EVENT_JOB_MAX_INSTANCES:
            reason = "the previous run was still going"
        else:
            reason = "it was missed by more than the grace time"
        logger.warning("Report run due at %s was skipped: %s", due, reason)
