"""What a public web front needs besides answers: one answer gate, admin sessions, login back-off.

Pure Python (no web framework), so each rule is tested on its own; app.py wires them in.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from .config import NewsqaError

# Answers at a time, for every front end together. More than the 2 cores: the questions of
# answers running side by side share encoder calls (retrieval/batching.py). Measured at 20
# clients (bench/bench_load.py, seed corpus): 6 gave 150 answers/s and no 503s where 2 gave
# 120 answers/s and 109 503s.
ANSWERS_AT_ONCE = 6
# Requests that may wait for a slot, and for how long, before a prompt "busy" (HTTP 503).
ANSWERS_WAITING = 16
MAX_WAIT_S = 1.5
RETRY_AFTER_S = 2
BUSY_MESSAGE = "the server is busy; retry in a few seconds"

MIN_ADMIN_PASSWORD_CHARS = 12


class Busy(NewsqaError):
    """Too many answers running and waiting: retry later (HTTP 503 + Retry-After)."""

    def __init__(self) -> None:
        super().__init__(BUSY_MESSAGE)


class AnswerGate:
    """At most `running` answers at once; at most `waiting` more wait, each for at most `wait_s`
    from its arrival. Everything beyond is refused at once: overload shows as a prompt 503,
    never as a queue that grows without bound."""

    def __init__(
        self,
        running: int = ANSWERS_AT_ONCE,
        waiting: int = ANSWERS_WAITING,
        wait_s: float = MAX_WAIT_S,
    ) -> None:
        self.running, self.waiting, self.wait_s = running, waiting, wait_s
        self._slots = threading.BoundedSemaphore(running)
        self._lock = threading.Lock()
        self._admitted = 0  # running + waiting

    @property
    def capacity(self) -> int:
        return self.running + self.waiting

    def reserve(self) -> bool:
        """A place in line (never blocks); False when the line is full."""
        with self._lock:
            if self._admitted >= self.capacity:
                return False
            self._admitted += 1
            return True

    def start(self, arrived: float) -> bool:
        """With a reserved place: wait for a slot until `arrived + wait_s` (monotonic clock).
        False (and the place given back) when none came free in time."""
        if self._slots.acquire(timeout=max(0.0, arrived + self.wait_s - time.monotonic())):
            return True
        self._give_back()
        return False

    def cancel(self) -> None:
        """Give back a reserved place that never started (its request was cancelled)."""
        self._give_back()

    def finish(self) -> None:
        self._slots.release()
        self._give_back()

    def _give_back(self) -> None:
        with self._lock:
            self._admitted -= 1

    def run(self, work: Callable[[], object], arrived: float | None = None):
        """work() inside a slot, or raise Busy."""
        arrived = time.monotonic() if arrived is None else arrived
        if not self.reserve():
            raise Busy()
        if not self.start(arrived):
            raise Busy()
        try:
            return work()
        finally:
            self.finish()


def check_admin_password(password: str | None) -> None:
    """A guessable admin password is refused at start-up, with what to do."""
    if password is not None and len(password) < MIN_ADMIN_PASSWORD_CHARS:
        raise NewsqaError(
            f"NEWSQA_ADMIN_PASSWORD is {len(password)} characters; use at least "
            f"{MIN_ADMIN_PASSWORD_CHARS} (e.g. `python -c 'import secrets; "
            "print(secrets.token_urlsafe(18))'`), or unset it to serve without /admin"
        )


def password_matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class LoginGuard:
    """Failed logins per client: the first FREE_FAILURES are free, then each failure doubles a
    lock-out (1 s, 2 s, 4 s ... up to MAX_LOCK_S). A success clears the client's record."""

    FREE_FAILURES = 5
    MAX_LOCK_S = 900.0
    MAX_CLIENTS = 10_000  # memory bound: the oldest records are forgotten first

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._records: OrderedDict[str, tuple[int, float]] = OrderedDict()  # failures, until

    def retry_after(self, client: str) -> float:
        """Seconds before this client may try again (0: now)."""
        with self._lock:
            _, until = self._records.get(client, (0, 0.0))
        return max(0.0, until - self._clock())

    def failed(self, client: str) -> None:
        with self._lock:
            failures = self._records.pop(client, (0, 0.0))[0] + 1
            over = failures - self.FREE_FAILURES
            lock_s = min(self.MAX_LOCK_S, 2.0 ** (over - 1)) if over > 0 else 0.0
            self._records[client] = (failures, self._clock() + lock_s)
            while len(self._records) > self.MAX_CLIENTS:
                self._records.popitem(last=False)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._records.pop(client, None)


class AdminSessions:
    """Server-side admin sessions: random tokens that end after IDLE_S without use or MAX_AGE_S
    in all, whatever the browser keeps."""

    IDLE_S = 30 * 60.0
    MAX_AGE_S = 8 * 3600.0
    MAX_SESSIONS = 1000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: OrderedDict[str, tuple[float, float]] = OrderedDict()  # created, used

    def create(self) -> str:
        token = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            self._sessions[token] = (now, now)
            while len(self._sessions) > self.MAX_SESSIONS:
                self._sessions.popitem(last=False)
        return token

    def valid(self, token: str | None) -> bool:
        """True for a live session (and it counts as used now); an expired one is dropped."""
        if not token:
            return False
        now = self._clock()
        with self._lock:
            times = self._sessions.get(token)
            if times is None:
                return False
            created, used = times
            if now - used > self.IDLE_S or now - created > self.MAX_AGE_S:
                del self._sessions[token]
                return False
            self._sessions[token] = (created, now)
            return True

    def end(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)
