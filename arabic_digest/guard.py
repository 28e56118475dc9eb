"""Keeping a run safe: one writer per output (a lock file), and a clean stop on SIGINT/SIGTERM.

The lock is `<output>.lock` beside the output. It holds the owner's pid, host, start time and
command (for the message a second run shows), and the owner holds an exclusive `flock` on it
for as long as it runs. The kernel drops a flock when its process dies, however it dies, so
a lock left by a killed run is "stale" exactly when nobody holds the flock: the next run takes
it over. A second run while the first is alive is refused (exit 2).
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import sys
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType
from typing import Any

from arabic_digest.errors import ArabicDigestError


class LockedError(ArabicDigestError):
    """Another live run writes the same output."""


class OutputNotWritable(ArabicDigestError):
    """The output (or its folder) cannot be written at all."""


def lock_path(output: Path) -> Path:
    return output.with_name(output.name + ".lock")


def _describe(info: dict[str, Any]) -> str:
    return (f"pid {info.get('pid', '?')} on {info.get('host', '?')}, "
            f"started {info.get('started', '?')}")


class OutputLock:
    """`with OutputLock(output):` — refuses (LockedError) if another run holds it."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.path = lock_path(output)
        self.fd: int | None = None
        self.took_over: dict[str, Any] | None = None  # the stale lock's content, if any

    def acquire(self) -> OutputLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputNotWritable(
                f"cannot create the output folder {self.path.parent}: {exc.strerror}") from None
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                # Named as every command names an output it cannot write (errors.os_problem).
                raise OutputNotWritable(f"cannot write {self.output}: {exc.strerror} "
                                        "(choose another with -o)") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                info = _read_info(fd)
                os.close(fd)
                raise LockedError(
                    f"{self.output} is being written by another run ({_describe(info)}); "
                    f"wait for it to finish, or stop it, then run again. Lock file: "
                    f"{self.path}") from None
            # The file may have been unlinked by its last owner between our open and flock;
            # then we hold a lock on a dead inode: start over.
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            break
        old = _read_info(fd)
        self.took_over = old or None
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "command": sys.argv}
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, (json.dumps(info) + "\n").encode(), 0)
            os.fsync(fd)
        except OSError as exc:
            os.close(fd)
            raise OutputNotWritable(f"cannot write the lock file {self.path}: "
                                    f"{exc.strerror}") from None
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            self.path.unlink()  # while still holding the flock, so no one is mid-takeover
        except OSError:
            pass
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def held_by(output: Path) -> str | None:
    """Who holds `output`'s lock right now (a live run writing it), or None."""
    try:
        fd = os.open(lock_path(output), os.O_RDONLY)
    except OSError:
        return None  # no lock file: nobody runs on it
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _describe(_read_info(fd))
    finally:
        os.close(fd)  # closing drops a lock we may have taken
    return None


def _read_info(fd: int) -> dict[str, Any]:
    try:
        data = os.pread(fd, 65536, 0)
        info = json.loads(data.decode("utf-8", "replace") or "{}")
        return info if isinstance(info, dict) else {}
    except (OSError, ValueError):
        return {}


class StopNow(BaseException):
    """Raised at a batch boundary once a stop was requested. A BaseException, so the
    per-article fallbacks (`except Exception`) do not take it for a failed article."""


class StopRequest:
    """Turns the first SIGINT/SIGTERM into a request to stop after the current batch.

    A second signal of either kind stops at once (KeyboardInterrupt / SystemExit); what was
    written stays valid, since records are only ever appended whole and repaired on rerun.
    """

    EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}

    def __init__(self) -> None:
        self.signum: int | None = None
        self._old: dict[int, Any] = {}
        self.settled = False  # stopping already: later signals change nothing

    @property
    def requested(self) -> bool:
        return self.signum is not None

    @property
    def exit_code(self) -> int:
        return self.EXIT_CODES.get(self.signum, 130)

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name if self.signum else ""

    def settle(self) -> None:
        """The run is winding down (its last manifest, its closing line): from here on a
        signal must not cut that short; the exit code stays the first signal's."""
        self.settled = True

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.settled:
            return
        if self.signum is not None:  # second signal: stop now
            if signum == signal.SIGINT:
                raise KeyboardInterrupt
            raise SystemExit(self.EXIT_CODES[signum])
        self.signum = signum
        print(f"\narabic-digest: {signal.Signals(signum).name}: stopping after the current "
              "batch (send it again to stop at once)", file=sys.stderr, flush=True)

    def __enter__(self) -> StopRequest:
        for sig in self.EXIT_CODES:
            try:
                self._old[sig] = signal.signal(sig, self._handle)
            except ValueError:  # not the main thread: leave signals alone
                pass
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, old in self._old.items():
            # Once stopping, a late second signal must not kill the process mid-way through
            # its last words (manifest, closing line): the exit code is the first one's.
            signal.signal(sig, signal.SIG_IGN if self.signum is not None else old)


# --- crash points for the kill tests -----------------------------------------------------
# ARABIC_DIGEST_CRASH_AT="name:n" makes the process SIGKILL itself the n-th time it reaches
# crash_point("name") (after running `partial`, which leaves a half-done state behind). Unset,
# as in every real run, crash_point only reads one environment variable.
_crash_counts: dict[str, int] = {}


def crash_point(name: str, partial: Any = None) -> None:
    spec = os.environ.get("ARABIC_DIGEST_CRASH_AT")
    if not spec:
        return
    want, _, nth = spec.partition(":")
    if want != name:
        return
    _crash_counts[name] = _crash_counts.get(name, 0) + 1
    if _crash_counts[name] == int(nth or 1):
        if partial is not None:
            partial()
        os.kill(os.getpid(), signal.SIGKILL)
