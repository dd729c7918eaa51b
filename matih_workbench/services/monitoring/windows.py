"""Windows of time ("30m", "1h", "1d", "7d" or a range) and the one drift scale features are ordered on."""

from __future__ import annotations

import math
import re

from matih_workbench.errors import InvalidInput, shown
from matih_workbench.models.monitoring import P_VALUE_METHODS, DriftMethod, FeatureDrift

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 7 * 86_400}
MAX_WINDOW = 366 * 86_400
_WINDOW = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


def window_seconds(text: str) -> float:
    """'90s', '30m', '1h', '1d', '2w' in seconds."""
    found = _WINDOW.match(text or "")
    seconds = float(found[1]) * UNITS[found[2]] if found else 0.0
    if not found or not 0 < seconds <= MAX_WINDOW:
        raise InvalidInput(
            f"Invalid window '{shown(text)}'", hint="a number and a unit: 30m, 1h, 1d, 7d (at most 366d)"
        )
    return seconds


def resolve_window(
    window: str | None, start: float | None, end: float | None, now: float
) -> tuple[float, float]:
    """(start, end) of a range, or of the ``window`` ending at ``end`` (default: now)."""
    end = now if end is None else end
    if start is None:
        start = end - window_seconds(window or "1d")
    if not (math.isfinite(start) and math.isfinite(end)) or start >= end:
        raise InvalidInput(
            "The window's start must come before its end", details={"start": start, "end": end}
        )
    return start, end


def severity(feature: FeatureDrift) -> float:
    """The score against its threshold on one scale: 1 at the threshold, above 1 drifted. Distances:
    score / threshold; p-values: log(p) / log(threshold); a window without values counts as drifted."""
    if feature.method is DriftMethod.NO_VALUES:
        return 2.0
    if feature.method in P_VALUE_METHODS:
        p = min(max(feature.score, 1e-300), 1.0)
        return math.log(p) / math.log(feature.threshold)
    return feature.score / feature.threshold if feature.threshold > 0 else 0.0
