"""`arabic-digest models`: models on disk (download, convert to CTranslate2, list)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from arabic_digest.cli import options as opt
from arabic_digest.cli.common import EXIT_OK, EXIT_SOME_ERRORS, Group, flag, say
from arabic_digest.errors import ArabicDigestError
from arabic_digest.pipeline.spec import Device
from arabic_digest.summarize.summarizer import DEFAULT_SUMMARIZATION_MODEL
from arabic_digest.text import plural
from arabic_digest.translate.translator import DEFAULT_TRANSLATION_MODEL

app = typer.Typer(
    cls=Group, no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]},
    help="Models on disk: download for offline use, convert to CTranslate2 ahead of time, list.")
Models = Annotated[list[str] | None, typer.Argument(
    help="Hub ids or local folders (default: the translation and summarization defaults).")]


def default_models(names: Sequence[str] | None) -> list[str]:
    return list(names or [DEFAULT_TRANSLATION_MODEL, DEFAULT_SUMMARIZATION_MODEL])


# --- the plain commands ----------------------------------------------------------------------

def download(names: Sequence[str] | None, to: Path | None) -> int:
    """Fetch models from the Hub so later runs work offline (stops at the first failure)."""
    from arabic_digest.pipeline.models import download as fetch
    from arabic_digest.pipeline.models import folder_size, human_size

    for name in default_models(names):
        try:
            path = fetch(name, to)
        except Exception as exc:  # noqa: BLE001 - network, auth or a wrong id: say which
            raise ArabicDigestError(
                f"could not download {name!r}: {type(exc).__name__}: {exc}") from exc
        print(f"{name}\t{human_size(folder_size(path))}\t{path}")
    return EXIT_OK


def convert(names: Sequence[str] | None, device: Device, quantization: str | None,
            force: bool) -> int:
    """Convert models to CTranslate2 into the cache now: 0, or 1 when some could not be."""
    from arabic_digest.pipeline.models import (
        ConversionError,
        ct2_device,
        default_compute_type,
        folder_size,
        human_size,
        model_revision,
        note,
    )
    from arabic_digest.pipeline.models import convert as to_ct2

    failed = 0
    for name in default_models(names):
        try:
            model_revision(name)
            quant = quantization or default_compute_type(ct2_device(device.value))
            done = to_ct2(name, quant, force=force, log=note)
        except ConversionError as exc:  # one model's failure: the others still convert
            failed += 1
            say(f"error: {exc}")
            continue
        except Exception as exc:  # noqa: BLE001 - not found / offline
            failed += 1
            say(f"error: could not load {name!r}: {type(exc).__name__}: {exc}")
            continue
        state = "converted" if done.converted_now else "cached"
        print(f"{name}\t{quant}\t{state}\t{human_size(folder_size(done.path))}\t{done.path}")
    if failed:  # the others are converted: say how many were not, as a whole
        say(f"{plural(failed, 'model')} not converted")
        return EXIT_SOME_ERRORS
    return EXIT_OK


def list_models() -> int:
    """Show downloaded (Hugging Face cache) and converted (CTranslate2) models."""
    from arabic_digest.pipeline.models import ct2_root, human_size, list_converted, list_downloaded

    downloaded, converted = list_downloaded(), list_converted()
    print("downloaded (Hugging Face cache):")
    for row in downloaded:
        print(f"  {row['model']}\t{human_size(row['bytes'])}\t{row['path']}")
    if not downloaded:
        print("  (none)")
    print(f"converted (CTranslate2, {ct2_root()}):")
    for row in converted:
        print(f"  {row['model']}\t{row['quantization']}\t{row['revision']}\t"
              f"{human_size(row['bytes'])}\t{row['path']}")
    if not converted:
        print("  (none)")
    return EXIT_OK


# --- the commands' options -------------------------------------------------------------------

@app.command("download")
def download_cli(
    names: Models = None,
    to: Annotated[Path | None, typer.Option(
        help="Download into DIR/<model name> instead of the Hugging Face cache.")] = None,
) -> None:
    """Fetch models from the Hub so later runs work offline (HF_HUB_OFFLINE=1)."""
    raise typer.Exit(download(names, to))


@app.command("convert")
def convert_cli(
    names: Models = None,
    device: opt.DeviceOpt = Device.auto,
    quantization: Annotated[str | None, typer.Option(
        help="int8, int8_float16, float16 or float32 (default: int8 on CPU, int8_float16 on "
             "CUDA, as `run` uses).")] = None,
    force: Annotated[bool, flag("--force", "Convert again even if cached.")] = False,
) -> None:
    """Convert models to CTranslate2 into the cache now, so the first run starts at once."""
    raise typer.Exit(convert(names, device, quantization, force))


@app.command("list")
def list_cli() -> None:
    """Show downloaded (Hugging Face cache) and converted (CTranslate2) models with sizes."""
    raise typer.Exit(list_models())
