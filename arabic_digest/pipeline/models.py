"""Models on disk: download from the Hub, convert to CTranslate2 once, list what is cached.

Converted models live under ``<cache>/ct2/<model>/<revision>-<quantization>/``, where
``<cache>`` is ``$ARABIC_DIGEST_CACHE``, else ``$XDG_CACHE_HOME/arabic-digest``, else
``~/.cache/arabic-digest``. The key holds the model's revision (the Hub commit, or for a local
folder a hash of its files' names, sizes and mtimes), so a changed model is converted afresh.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CACHE_ENV = "ARABIC_DIGEST_CACHE"
SOURCE_FILE = "arabic_digest_source.json"  # written beside a converted model: what it came from
# Files whose change means a local model changed (weights, configs, vocabularies).
_MODEL_SUFFIXES = (".json", ".safetensors", ".bin", ".spm", ".model", ".txt", ".pt")


class ConversionError(Exception):
    """CTranslate2 cannot convert this model (unsupported architecture or files).

    `remembered`: this failure was found by an earlier run (see `failure_path`), so it is not
    tried again and need not be announced again.
    """

    def __init__(self, message: str, remembered: bool = False) -> None:
        super().__init__(message)
        self.remembered = remembered


def cache_root() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "arabic-digest"


def ct2_root() -> Path:
    return cache_root() / "ct2"


def cpu_threads() -> int:
    """Cores this process may use (respects taskset / cgroup affinity where the OS reports it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def ct2_device(device: str) -> str:
    import ctranslate2

    has_cuda = ctranslate2.get_cuda_device_count() > 0
    if device == "auto":
        return "cuda" if has_cuda else "cpu"
    if device == "cuda" and not has_cuda:
        raise ConversionError("--device cuda was asked for, but CTranslate2 sees no CUDA device")
    return device


def default_compute_type(device: str) -> str:
    # int8 weights on CPU (about 4x less memory traffic); int8 weights + float16 math on GPU.
    return "int8_float16" if device == "cuda" else "int8"


def is_local(model: str) -> bool:
    return Path(model).is_dir()


def local_revision(folder: Path) -> str:
    """A fingerprint of a local model folder: names, sizes and mtimes of its model files."""
    h = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix in _MODEL_SUFFIXES:
            st = path.stat()
            h.update(f"{path.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return "local-" + h.hexdigest()[:16]


def model_revision(model: str) -> str:
    """The Hub commit of `model` (from the local HF cache when offline), or a local fingerprint."""
    if is_local(model):
        return local_revision(Path(model))
    from transformers import AutoConfig

    commit = getattr(AutoConfig.from_pretrained(model), "_commit_hash", None)
    return commit or "unknown"


def model_slug(model: str) -> str:
    if is_local(model):
        path = Path(model).resolve()
        where = hashlib.sha256(str(path).encode()).hexdigest()[:8]
        return f"local--{path.name}-{where}"
    return model.replace("/", "--")


def converted_dir(model: str, quantization: str, revision: str | None = None) -> Path:
    revision = revision or model_revision(model)
    return ct2_root() / model_slug(model) / f"{revision}-{quantization}"


@dataclass
class Converted:
    path: Path
    revision: str
    quantization: str
    converted_now: bool  # False: taken from the cache


def convert(model: str, quantization: str = "int8", *, force: bool = False,
            log: Callable[[str], None] | None = None) -> Converted:
    """Convert `model` (Hub id or folder) to CTranslate2 unless it is cached; return its folder.

    The conversion writes into a temporary folder beside the cache entry and renames it into
    place, so a killed conversion never leaves a half-written model behind.
    """
    revision = model_revision(model)
    final = converted_dir(model, quantization, revision)
    if (final / "model.bin").is_file() and not force:
        return Converted(final, revision, quantization, converted_now=False)
    failed = remembered_failure(final)
    if failed is not None and not force:
        raise ConversionError(failed, remembered=True)
    from ctranslate2.converters import TransformersConverter

    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    if log:
        log(f"converting {model} to CTranslate2 ({quantization}), once; cached in {final}")
    start = time.perf_counter()
    try:
        try:
            TransformersConverter(model, low_cpu_mem_usage=True).convert(
                str(tmp), quantization=quantization, force=True)
        except Exception as exc:  # noqa: BLE001 - every converter failure means "cannot convert"
            message = f"CTranslate2 cannot convert {model!r}: {type(exc).__name__}: {exc}"
            remember_failure(final, message)
            raise ConversionError(message) from exc
        import ctranslate2

        (tmp / SOURCE_FILE).write_text(json.dumps({
            "model": model, "revision": revision, "quantization": quantization,
            "ctranslate2": ctranslate2.__version__,
            "converted_s": round(time.perf_counter() - start, 1),
        }, indent=2) + "\n", encoding="utf-8")
        if force and final.exists():
            shutil.rmtree(final)
        try:
            os.rename(tmp, final)
        except OSError:
            if not (final / "model.bin").is_file():  # pragma: no cover - a real rename failure
                raise
            # Another process converted the same model meanwhile; keep its copy.
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return Converted(final, revision, quantization, converted_now=True)


def failure_path(final: Path) -> Path:
    """Beside the cache entry: this revision and quantization could not be converted."""
    return final.with_name(final.name + ".failed.json")


def remember_failure(final: Path, message: str) -> None:
    """So later runs fall back at once instead of converting (and saying so) every time."""
    import ctranslate2

    try:
        failure_path(final).write_text(json.dumps(
            {"message": message, "ctranslate2": ctranslate2.__version__}) + "\n",
            encoding="utf-8")
    except OSError:
        pass  # not remembering only costs the next run a retry


def remembered_failure(final: Path) -> str | None:
    """The message of an earlier failure for this entry, if made by this CTranslate2 (a new
    version may convert what the old one could not)."""
    import ctranslate2

    try:
        data = json.loads(failure_path(final).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("ctranslate2") != ctranslate2.__version__:
        return None
    return str(data.get("message", ""))


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"  # pragma: no cover


def list_converted() -> list[dict[str, Any]]:
    """The converted models in the cache, with what they came from and their size on disk."""
    rows: list[dict[str, Any]] = []
    root = ct2_root()
    if not root.is_dir():
        return rows
    for entry in sorted(root.glob("*/*")):
        if entry.name.startswith(".") or not (entry / "model.bin").is_file():
            continue  # an unfinished conversion (its process was killed) is not a model
        info: dict[str, Any] = {}
        if (entry / SOURCE_FILE).is_file():
            info = json.loads((entry / SOURCE_FILE).read_text("utf-8"))
        rows.append({"model": info.get("model", entry.parent.name),
                     "revision": info.get("revision"), "quantization": info.get("quantization"),
                     "path": str(entry), "bytes": folder_size(entry)})
    return rows


def list_downloaded() -> list[dict[str, Any]]:
    """Models in the Hugging Face cache, with sizes (empty when there is no cache)."""
    from huggingface_hub import scan_cache_dir

    try:
        info = scan_cache_dir()
    except Exception:  # noqa: BLE001 - no cache folder yet
        return []
    return [{"model": repo.repo_id, "revisions": sorted(r.commit_hash[:12] for r in repo.revisions),
             "path": str(repo.repo_path), "bytes": repo.size_on_disk}
            for repo in sorted(info.repos, key=lambda r: r.repo_id) if repo.repo_type == "model"]


def download(model: str, to: Path | None = None) -> Path:
    """Fetch `model` into the Hugging Face cache (or into `to`/<name>) for offline use."""
    from huggingface_hub import snapshot_download

    local_dir = str(to / model.split("/")[-1]) if to else None
    return Path(snapshot_download(model, local_dir=local_dir))


def loading_bars(quiet: bool) -> None:
    """transformers' own bars ("Loading weights" per model, even from a local folder) are
    noise beside the run's bar: always off. Hub downloads keep theirs (minutes on a first run)
    unless --quiet."""
    import huggingface_hub.utils
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # this also turns off the Hub's bars ...
    if not quiet:
        huggingface_hub.utils.enable_progress_bars()  # ... which a download still wants


def note(message: str) -> None:
    """A message of model loading (a conversion, a fallback): to the `arabic_digest` logger,
    which the CLI prints as `arabic-digest: ...` lines on stderr (cli.main) and a library
    user sees through `logging`."""
    logging.getLogger("arabic_digest").warning(message)
