"""Baseline thresholds of a model and the checks a candidate version must pass.

Grammar, one rule per string::

    METRIC (>= | > | <= | < | ==) NUMBER          e.g.  auc >= 0.85,  latency_ms <= 20
    METRIC not_worse_than_production_by NUMBER    e.g.  auc not_worse_than_production_by 0.02

"Worse" follows the metric's direction (``loss``, ``latency``, ``rmse``... are lower-is-better; see
``services.tracking.metric_mode``). With no Production version, relative rules pass (nothing to compare).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence

from matih_workbench.errors import InvalidInput, shown
from matih_workbench.models import CheckResult, MetricDelta, Threshold
from matih_workbench.services.tracking.service import metric_mode

RELATIVE = "not_worse_than_production_by"
_RULE = re.compile(
    r"^\s*(?P<metric>[A-Za-z0-9_.\-/:]+)\s*"
    rf"(?P<op>>=|<=|==|>|<|\s{RELATIVE}\s)\s*"
    r"(?P<value>[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?)\s*$"
)
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
_EPS = 1e-12
GRAMMAR_HINT = "write rules like 'auc >= 0.85', 'latency_ms <= 20' or 'auc not_worse_than_production_by 0.02'"


def parse_threshold(text: str) -> Threshold:
    match = _RULE.match(text)
    if not match:
        raise InvalidInput(f"Malformed threshold '{shown(text)}'", hint=GRAMMAR_HINT)
    metric, op, value = match["metric"], match["op"].strip(), float(match["value"])
    if not math.isfinite(value):
        raise InvalidInput(f"Threshold '{text}' needs a finite number", hint=GRAMMAR_HINT)
    if op == RELATIVE and value < 0:
        raise InvalidInput(f"Threshold '{text}': the allowed regression must be >= 0", hint=GRAMMAR_HINT)
    return Threshold(metric=metric, op=op, value=value, expression=f"{metric} {op} {value:g}")  # type: ignore[arg-type]


def parse_thresholds(texts: Sequence[str]) -> list[Threshold]:
    rules = [parse_threshold(t) for t in texts if t.strip()]
    seen: set[tuple[str, str]] = set()
    for rule in rules:
        if (rule.metric, rule.op) in seen:
            raise InvalidInput(f"Two '{rule.op}' rules for metric '{rule.metric}'", hint="keep one of them")
        seen.add((rule.metric, rule.op))
    return rules


def evaluate(
    rules: Sequence[Threshold],
    metrics: Mapping[str, float],
    production: Mapping[str, float] | None,
    relative_blocking: bool = True,
) -> list[CheckResult]:
    """One CheckResult per rule; ``production`` is the current Production run's metrics (None if none)."""
    return [_check(rule, metrics.get(rule.metric), production, relative_blocking) for rule in rules]


def _check(
    rule: Threshold, value: float | None, production: Mapping[str, float] | None, relative_blocking: bool
) -> CheckResult:
    got = "not logged" if value is None else f"{value:g}"
    if rule.op != RELATIVE:
        passed = value is not None and _OPS[rule.op](value, rule.value)
        return _result(rule, value, passed, f"{rule.metric} = {got} (needs {rule.op} {rule.value:g})")
    baseline = production.get(rule.metric) if production is not None else None
    if baseline is None:
        why = "no Production version" if production is None else "Production has no value"
        return _result(rule, value, True, f"{rule.metric}: {why} to compare with", blocking=relative_blocking)
    if metric_mode(rule.metric) == "max":
        limit, passed = baseline - rule.value, value is not None and value >= baseline - rule.value - _EPS
        needs = f"needs >= {limit:g}: Production {baseline:g} - {rule.value:g}"
    else:
        limit, passed = baseline + rule.value, value is not None and value <= baseline + rule.value + _EPS
        needs = f"needs <= {limit:g}: Production {baseline:g} + {rule.value:g}"
    return _result(rule, value, passed, f"{rule.metric} = {got} ({needs})", relative_blocking, baseline)


def _result(
    rule: Threshold,
    value: float | None,
    passed: bool,
    message: str,
    blocking: bool = True,
    baseline: float | None = None,
) -> CheckResult:
    return CheckResult(
        metric=rule.metric,
        op=rule.op,
        threshold=rule.value,
        value=value,
        baseline=baseline,
        passed=passed,
        blocking=blocking,
        message=message,
    )


def failures(checks: Sequence[CheckResult]) -> list[CheckResult]:
    return [c for c in checks if c.blocking and not c.passed]


def metric_deltas(metrics: Mapping[str, float], production: Mapping[str, float] | None) -> list[MetricDelta]:
    """Candidate minus Production, metric by metric (union of both)."""
    prod = production or {}
    deltas = []
    for key in sorted(set(metrics) | set(prod)):
        value, base = metrics.get(key), prod.get(key)
        delta = value - base if value is not None and base is not None else None
        deltas.append(MetricDelta(metric=key, value=value, production_value=base, delta=delta))
    return deltas
