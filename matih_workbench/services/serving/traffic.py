"""The rules of traffic: valid splits, canary steps and rollbacks, and the always-valid A/B test."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from matih_workbench.errors import InvalidInput
from matih_workbench.models import CanaryPolicy, CanaryState, OutcomeComparison


def check_weights(weights: dict[str, int], live: list[str]) -> None:
    """Weights name every live version once, are whole non-negative percents, and sum to 100."""
    if not isinstance(weights, dict) or not weights:
        raise InvalidInput("Give a weight for each live version", hint=f"live versions: {', '.join(live)}")
    unknown = sorted(set(weights) - set(live))
    if unknown:
        raise InvalidInput(
            f"Unknown or non-live version(s): {', '.join(unknown)}", hint=f"live versions: {', '.join(live)}"
        )
    bad = {
        v: w for v, w in weights.items() if not isinstance(w, int) or isinstance(w, bool) or w < 0 or w > 100
    }
    if bad:
        raise InvalidInput(f"Weights are whole percents from 0 to 100: {bad}")
    total = sum(weights.values())
    if total != 100:
        raise InvalidInput(f"Weights must sum to 100, they sum to {total}", hint="e.g. {'1': 90, '2': 10}")


def check_steps(policy: CanaryPolicy) -> None:
    steps = policy.steps
    if (
        len(steps) < 2
        or any(s <= 0 or s > 100 for s in steps)
        or steps != sorted(set(steps))
        or steps[-1] != 100
    ):
        raise InvalidInput(
            f"Canary steps must be two or more, increasing, in 1..100, ending at 100; got {steps}",
            hint="e.g. --steps 5,25,50,100",
        )


@dataclass(frozen=True)
class Decision:
    action: str  # hold, advance, rollback, promote
    reason: str


def canary_decision(state: CanaryState, window: dict[str, Any], now: float) -> Decision:
    """What the rollout does next from the candidate's requests since its current step began."""
    policy = state.policy
    n = int(window.get("window_requests") or 0)
    errors = int(window.get("window_errors") or 0)
    p95 = window.get("p95_ms")
    if n >= policy.rollback_min_requests:
        rate = errors / n
        if rate > policy.max_error_rate:
            return Decision(
                "rollback", f"error rate {rate:.1%} over {n} requests exceeds {policy.max_error_rate:.1%}"
            )
        if p95 is not None and p95 > policy.p95_slo_ms:
            return Decision(
                "rollback", f"p95 latency {p95:.1f} ms exceeds the SLO of {policy.p95_slo_ms:g} ms"
            )
    elapsed = now - state.step_started_at
    if n < policy.min_requests or elapsed < policy.min_seconds:
        return Decision("hold", f"{n}/{policy.min_requests} requests, {elapsed:.0f}/{policy.min_seconds:g} s")
    if state.step + 1 >= len(policy.steps) - 1:  # the next share is the last, 100%: the registry decides
        return Decision("promote", f"step {policy.steps[state.step]}% met the criteria over {n} requests")
    return Decision("advance", f"step {policy.steps[state.step]}% met the criteria over {n} requests")


def msprt(
    version: str, baseline: str, ours: dict[str, float], theirs: dict[str, float], alpha: float = 0.05
) -> OutcomeComparison:
    """Mixture sequential probability ratio test of a difference in mean outcome (normal mixture, tau² = the
    pooled variance): its p-value is valid at every look, so a test may stop as soon as it is significant."""
    n1, mean1, var1 = _moments(ours)
    n0, mean0, var0 = _moments(theirs)
    ci = None
    if n1 >= 2 and mean1 is not None:
        half = 1.96 * math.sqrt(var1 / n1)
        ci = (mean1 - half, mean1 + half)
    if n1 < 2 or n0 < 2 or mean1 is None or mean0 is None:
        return OutcomeComparison(
            version=version,
            baseline=baseline,
            n=n1,
            mean=mean1,
            ci95=ci,
            baseline_mean=mean0,
            difference=None,
            p_value=None,
            significant=False,
        )
    pooled = ((n1 - 1) * var1 + (n0 - 1) * var0) / (n1 + n0 - 2) or 1e-12
    v = pooled * (1 / n1 + 1 / n0)
    tau2 = pooled
    diff = mean1 - mean0
    log_lr = 0.5 * math.log(v / (v + tau2)) + tau2 * diff**2 / (2 * v * (v + tau2))
    p = 1.0 if log_lr <= 0 else min(1.0, math.exp(-log_lr))
    return OutcomeComparison(
        version=version,
        baseline=baseline,
        n=n1,
        mean=mean1,
        ci95=ci,
        baseline_mean=mean0,
        difference=diff,
        p_value=p,
        significant=p < alpha,
    )


def _moments(sums: dict[str, float]) -> tuple[int, float | None, float]:
    """Count, mean and unbiased variance from the sufficient sums a replica keeps."""
    n = int(sums.get("n", 0))
    if n == 0:
        return 0, None, 0.0
    mean = sums["sum"] / n
    var = max(sums["sum_sq"] / n - mean**2, 0.0) * n / (n - 1) if n >= 2 else 0.0
    return n, mean, var
