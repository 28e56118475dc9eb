"""Summary length: presets and explicit token bounds, resolved once per run.

Bounds count generated tokens (the model's own tokens, like transformers' max_new_tokens).
None means the model's own generation config decides.
"""

from __future__ import annotations

from dataclasses import dataclass

# (min tokens, max tokens). "medium" is close to distilbart-cnn's own (56, 142).
LENGTH_PRESETS: dict[str, tuple[int, int]] = {
    "short": (10, 60),
    "medium": (30, 140),
    "long": (60, 280),
}


class LengthError(ValueError):
    """Length options that contradict each other."""


@dataclass(frozen=True)
class SummaryLength:
    min_tokens: int | None = None
    max_tokens: int | None = None
    preset: str | None = None

    def record(self) -> dict[str, int | str | None]:
        return {"preset": self.preset, "min_tokens": self.min_tokens,
                "max_tokens": self.max_tokens}


def resolve_length(preset: str | None = None, min_tokens: int | None = None,
                   max_tokens: int | None = None) -> SummaryLength:
    """A preset gives both bounds; an explicit bound overrides the preset's."""
    if preset is not None:
        if preset not in LENGTH_PRESETS:
            raise LengthError(f"--summary-length must be one of {', '.join(LENGTH_PRESETS)}, "
                              f"not {preset!r}")
        pmin, pmax = LENGTH_PRESETS[preset]
        min_tokens = pmin if min_tokens is None else min_tokens
        max_tokens = pmax if max_tokens is None else max_tokens
        # An explicit max below the preset's min lowers the min with it.
        if max_tokens < min_tokens and min_tokens == pmin:
            min_tokens = max_tokens
    for flag, value in (("--summary-min-tokens", min_tokens), ("--summary-max-tokens", max_tokens)):
        if value is not None and value < (0 if flag.endswith("min-tokens") else 1):
            raise LengthError(f"{flag} must be positive, not {value}")
    if min_tokens is not None and max_tokens is not None and min_tokens > max_tokens:
        raise LengthError(f"--summary-min-tokens ({min_tokens}) is larger than "
                          f"--summary-max-tokens ({max_tokens})")
    return SummaryLength(min_tokens, max_tokens, preset)
