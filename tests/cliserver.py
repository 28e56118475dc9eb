"""A warm interpreter that forks each ``python -m arabic_digest`` the tests run.

Most CLI tests spend more time starting Python, torch and transformers (about 3 s each time on
the 2-core machine) than running the command. This server imports them once; for each command
it forks a child that takes the test's argv, working directory, environment, stdin, stdout and
stderr (real files on fds 0-2), runs ``arabic_digest`` as ``python -m`` does (``runpy``), and
exits with its status through the interpreter's own shutdown steps (threads joined, atexit). The
command still runs in its own process with real files and exit codes; only the imports are
shared.

What a warm interpreter cannot honour falls back to a fresh one (the caller's job, told by
``None``): an environment that differs from the server's in anything read at import time (any
variable outside ``RUNTIME_ENV``), or a caller asking for ``fresh=True``.
``ARABIC_DIGEST_TEST_FRESH=1`` sends every command to a fresh interpreter, to check that both
ways give the same results.

Protocol: one JSON line per request on the server's stdin, JSON lines back on its stdout (the
child's pid, then its status).
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Read by arabic_digest when a command runs, never at import: a difference here is honoured.
RUNTIME_ENV = ("ARABIC_DIGEST_", "COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM")
# Imported once by the server: what every command of the suite would import itself.
WARM_MODULES = (
    "torch", "sentencepiece", "ctranslate2", "transformers",
    "arabic_digest.cli", "arabic_digest.pipeline.article", "arabic_digest.pipeline.backends",
    "arabic_digest.pipeline.engines", "arabic_digest.views.report", "arabic_digest.views.digest",
    "arabic_digest.pipeline.evaluate", "arabic_digest.pipeline.stories",
)
WARM_NAMES = ("MarianMTModel", "MarianTokenizer", "BartForConditionalGeneration",
              "BartTokenizer", "AutoTokenizer", "AutoModelForSeq2SeqLM", "AutoModelForCausalLM",
              "T5ForConditionalGeneration", "T5Tokenizer", "Qwen2ForCausalLM")


def _import_time_env(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if not k.startswith(RUNTIME_ENV)}


class CliServer:
    """One warm server per test process (pytest-xdist workers each start their own)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = dict(env)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.cliserver"], cwd=ROOT, env=self.env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.lock = threading.Lock()
        self._buffer = b""  # replies read off the raw pipe (select cannot see a reader's buffer)
        ready = self._reply(timeout=300)
        if ready.get("ready") is not True:
            raise RuntimeError(f"CLI server did not start: {ready}")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _reply(self, timeout: float | None) -> dict:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            readable, _, _ = select.select([fd], [], [], timeout)
            if not readable:
                return {"timeout": True}
            chunk = os.read(fd, 65536)
            if not chunk:
                raise RuntimeError("CLI server exited")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def run(self, argv: list[str], *, cwd: Path, env: dict[str, str], input: str | None,
            timeout: float | None) -> subprocess.CompletedProcess | None:
        """The finished command, or None when it needs a fresh interpreter."""
        if _import_time_env(env) != _import_time_env(self.env):
            return None
        with self.lock, tempfile.TemporaryDirectory(prefix="cli-") as tmp:
            files = {name: os.path.join(tmp, name) for name in ("stdin", "stdout", "stderr")}
            Path(files["stdin"]).write_text(input or "", encoding="utf-8")
            request = {"argv": argv, "cwd": str(cwd), "env": env, **files}
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            pid = self._reply(timeout=60)["pid"]
            done = self._reply(timeout)
            if done.get("timeout"):
                os.kill(pid, 9)
                self._reply(timeout=60)
                raise subprocess.TimeoutExpired(argv, timeout or 0)
            out = Path(files["stdout"]).read_text("utf-8")
            err = Path(files["stderr"]).read_text("utf-8")
        return subprocess.CompletedProcess([sys.executable, "-m", "arabic_digest", *argv],
                                           done["status"], out, err)

    def close(self) -> None:
        if self.alive():
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


_server: CliServer | None = None


def run_cli(argv: list[str], *, cwd: Path, env: dict[str, str], input: str | None = None,
            timeout: float | None = 600, fresh: bool = False) -> subprocess.CompletedProcess:
    """``python -m arabic_digest *argv`` as ``subprocess.run(capture_output=True, text=True)``
    would return it: in a child of the warm server where it can be, else in a fresh one."""
    global _server
    if not fresh and os.environ.get("ARABIC_DIGEST_TEST_FRESH") != "1":
        if _server is None or not _server.alive():
            _server = CliServer(env)
        done = _server.run(argv, cwd=cwd, env=env, input=input, timeout=timeout)
        if done is not None:
            return done
    return subprocess.run([sys.executable, "-m", "arabic_digest", *argv], cwd=cwd, env=env,
                          input=input, capture_output=True, text=True, timeout=timeout)


# --------------------------------------------------------------------------- the server side

def _child(request: dict) -> None:
    """In the forked child: become ``python -m arabic_digest ARGV`` and never return."""
    import atexit
    import io
    import runpy
    import traceback

    status = 1
    try:
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for fd, name, flags in ((0, "stdin", os.O_RDONLY), (1, "stdout", os.O_WRONLY),
                                (2, "stderr", os.O_WRONLY)):
            opened = os.open(request[name], flags | (os.O_CREAT | os.O_TRUNC if fd else 0))
            os.dup2(opened, fd)
            os.close(opened)
        encoding = os.environ.get("PYTHONIOENCODING") or "utf-8"
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding=encoding)
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding=encoding)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding=encoding,
                                      errors="backslashreplace", line_buffering=True)
        sys.argv = ["-m", *request["argv"]]  # runpy puts the module's path in argv[0]
        try:
            runpy.run_module("arabic_digest", run_name="__main__", alter_sys=True)
            status = 0
        except SystemExit as exc:  # as the interpreter turns SystemExit into a status
            if exc.code is None:
                status = 0
            elif isinstance(exc.code, int):
                status = exc.code
            else:
                print(exc.code, file=sys.stderr)
                status = 1
        except BaseException:
            traceback.print_exc()
            status = 1
        # The interpreter's own shutdown: non-daemon threads, then atexit, then the streams.
        threading._shutdown()  # type: ignore[attr-defined]
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
    finally:
        os._exit(status & 0xFF)


def serve() -> None:
    import importlib

    for name in WARM_MODULES:
        importlib.import_module(name)
    import transformers

    for name in WARM_NAMES:
        getattr(transformers, name)
    protocol_in, protocol_out = sys.stdin, sys.stdout
    protocol_out.write(json.dumps({"ready": True}) + "\n")
    protocol_out.flush()
    for line in protocol_in:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)  # fds 0-2 are replaced there; the protocol's pipes are left unused
        protocol_out.write(json.dumps({"pid": pid}) + "\n")
        protocol_out.flush()
        _, wait_status = os.waitpid(pid, 0)
        status = os.waitstatus_to_exitcode(wait_status)  # -N for a signal, as Popen gives
        protocol_out.write(json.dumps({"status": status}) + "\n")
        protocol_out.flush()


if __name__ == "__main__":
    serve()
