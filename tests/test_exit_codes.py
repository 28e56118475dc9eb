"""Every error carries its exit code (arabic_digest/errors.py) and `cli.main` is the one place
that catches it: the code of each error class reaches the process's exit status, with the one
line `arabic-digest: error: <message>` on stderr."""

from __future__ import annotations

import importlib
import inspect
import os
from pathlib import Path

import pytest

from arabic_digest import cli
from arabic_digest.errors import ArabicDigestError, FileError, UsageProblem
from arabic_digest.guard import OutputLock
from tests.test_run import cli as run_cli

# The modules that define ArabicDigestError subclasses (each imported, so none is missed).
DEFINING = ("arabic_digest.errors", "arabic_digest.guard", "arabic_digest.records",
            "arabic_digest.identity", "arabic_digest.inputs.readers",
            "arabic_digest.pipeline.presets", "arabic_digest.pipeline.runner",
            "arabic_digest.pipeline.backends", "arabic_digest.pipeline.ray_engine",
            "arabic_digest.api")


def _subclasses(kind: type) -> list[type]:
    out = []
    for sub in kind.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def error_classes() -> list[type[ArabicDigestError]]:
    for name in DEFINING:
        importlib.import_module(name)
    found = {k for k in [ArabicDigestError, *_subclasses(ArabicDigestError)]
             if k.__module__.startswith("arabic_digest")}
    return sorted(found, key=lambda k: (k.__module__, k.__qualname__))


def _instance(kind: type[ArabicDigestError]) -> ArabicDigestError:
    params = list(inspect.signature(kind.__init__).parameters)[1:]
    if params[:3] == ["message", "stats", "exit_code"]:  # RunStopped: a code per stop
        return kind("stopped: rerun to resume", None, 143)
    return kind(f"a {kind.__name__} went wrong: ./some file")


def test_every_library_error_is_known_here() -> None:
    names = {k.__name__ for k in error_classes()}
    assert {"ArabicDigestError", "UsageProblem", "ModelError", "FileError", "LockedError",
            "OutputNotWritable", "InputError", "PresetError", "NotAnOutput", "RunStopped",
            "IdentityMismatch"} <= names


def test_exit_codes_as_the_cli_always_used_them() -> None:
    assert ArabicDigestError.exit_code == UsageProblem.exit_code == 2
    assert all(k.exit_code == 2 for k in error_classes())  # the class default: nothing done
    assert _instance(next(k for k in error_classes() if k.__name__ == "RunStopped")
                     ).exit_code == 143


@pytest.mark.parametrize("kind", error_classes(), ids=lambda k: k.__name__)
def test_each_errors_code_is_the_exit_status(kind, monkeypatch, capsys) -> None:
    exc = _instance(kind)

    def fails(**_: object) -> None:
        raise exc

    monkeypatch.setattr(cli, "app", fails)
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == exc.exit_code
    assert capsys.readouterr().err == f"arabic-digest: error: {exc}\n"


def test_a_subclass_sets_its_own_code(monkeypatch, capsys) -> None:
    class Refused(FileError):
        exit_code = 5

    def fails(**_: object) -> None:
        raise Refused("cannot write out.jsonl: Permission denied")

    monkeypatch.setattr(cli, "app", fails)
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == 5
    assert "arabic-digest: error: cannot write out.jsonl" in capsys.readouterr().err


def test_anything_else_is_a_bug_exit_70(monkeypatch, capsys) -> None:
    def breaks(**_: object) -> None:
        raise KeyError("oops")

    monkeypatch.setattr(cli, "app", breaks)
    monkeypatch.delenv("ARABIC_DIGEST_DEBUG", raising=False)
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == 70
    assert "unexpected error: KeyError" in capsys.readouterr().err


# --- through a real process ------------------------------------------------------------------

def test_usage_problem_exits_2(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("نص عربي قصير.\n", encoding="utf-8")
    proc = run_cli("clean", str(tmp_path / "a.txt"), "--keep-kind", "nope",
                   "-o", str(tmp_path / "a.clean.jsonl"))
    assert proc.returncode == UsageProblem.exit_code == 2
    assert proc.stderr.startswith("arabic-digest: error: unknown --keep-kind nope (kinds: ")
    assert not (tmp_path / "a.clean.jsonl").exists()


def test_missing_file_and_file_in_the_way_exit_2(tmp_path: Path) -> None:
    proc = run_cli("report", str(tmp_path / "none.jsonl"))
    assert (proc.returncode, proc.stderr) == (
        2, f"arabic-digest: error: no such file: {tmp_path / 'none.jsonl'}\n")
    (tmp_path / "a.txt").write_text("نص عربي قصير.\n", encoding="utf-8")
    proc = run_cli("clean", str(tmp_path / "a.txt"), "-o", str(tmp_path / "a.txt" / "x.jsonl"))
    assert proc.returncode == 2
    assert proc.stderr == (f"arabic-digest: error: cannot write {tmp_path / 'a.txt' / 'x.jsonl'}:"
                           f" {tmp_path / 'a.txt'} is a file, not a folder (choose another "
                           "with -o)\n")


def test_locked_output_exits_with_its_code(tmp_path: Path, marian_dir: Path) -> None:
    from arabic_digest.guard import LockedError

    (tmp_path / "a.txt").write_text("قال الوزير إن الاجتماع سيعقد غدا.\n", encoding="utf-8")
    out = tmp_path / "a.jsonl"
    lock = OutputLock(out).acquire()
    try:
        proc = run_cli("run", str(tmp_path / "a.txt"), "-o", str(out), "--no-summary",
                       "--translation-model", str(marian_dir), "--quiet")
    finally:
        lock.release()
    assert proc.returncode == LockedError.exit_code == 2, proc.stderr
    assert proc.stderr.startswith(f"arabic-digest: error: {out} is being written by another "
                                  f"run (pid {os.getpid()} ")
    assert "Traceback" not in proc.stderr and not out.exists()
