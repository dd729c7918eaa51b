"""The pure rules of serving, at their edges: request parsing (JSON records, v2 tensors with the binary
extension), signature checks, valid splits, canary decisions, and the always-valid A/B test's error rates."""

from __future__ import annotations

import json

import numpy as np
import pytest

from matih_workbench.backends.ray.serve.protocol import BadRequest, parse_v2, records_of, v2_response
from matih_workbench.backends.ray.serve.validation import Column, Signature
from matih_workbench.errors import InvalidInput
from matih_workbench.models import CanaryPolicy, CanaryState
from matih_workbench.services.serving.traffic import canary_decision, check_steps, check_weights, msprt

SIGNATURE = Signature([Column("x", "double"), Column("n", "long"), Column("tag", "string", required=False)])


def test_every_accepted_records_form_and_the_refused_ones() -> None:
    rows = [{"x": 1.0, "n": 2}]
    assert records_of(rows) == rows
    assert records_of({"dataframe_records": rows}) == rows
    assert records_of({"dataframe_split": {"columns": ["x", "n"], "data": [[1.0, 2]]}}) == rows
    assert records_of(rows[0]) == rows
    assert records_of({"inputs": [[1.0, 2.0]]}).shape == (1, 2)  # type: ignore[union-attr]
    for bad in ([], [1, 2], "text", {"dataframe_split": {"columns": ["x"]}}, {"inputs": [["a", {}]]}):
        with pytest.raises(BadRequest):
            records_of(bad)


def test_signature_names_every_field_error_and_casts_to_its_types() -> None:
    with pytest.raises(BadRequest) as info:
        SIGNATURE.frame([{"x": "1", "n": 2.5}, {"n": True}, {"x": float("nan"), "n": 1}])
    errors = {(e["row"], e["field"]): e["message"] for e in info.value.errors}
    assert errors == {
        (0, "x"): "expected a number, got str",
        (0, "n"): "expected an integer, got float",
        (1, "x"): "missing",
        (1, "n"): "expected an integer, got bool",
        (2, "x"): "expected a number, got NaN",
    }
    assert info.value.status == 422
    frame = SIGNATURE.frame([{"x": 1, "n": 2, "extra": "kept out"}])
    assert list(frame.columns) == ["x", "n", "tag"] and str(frame.x.dtype) == "float64"


def test_v2_tensors_binary_and_json_round_trip() -> None:
    values = np.array([[1.5, 2.5], [3.5, 4.5]], dtype=np.float32)
    head = {"inputs": [{"name": "input", "shape": [2, 2], "datatype": "FP32",
                        "parameters": {"binary_data_size": values.nbytes}}],
            "parameters": {"binary_data_output": True}}  # fmt: skip
    raw = json.dumps(head).encode()
    parsed = parse_v2(raw + values.tobytes(), str(len(raw)))
    np.testing.assert_array_equal(parsed.tensors["input"], values)
    assert parsed.binary_output
    body, headers = v2_response("m", "1", "id", {"predictions": np.array([1.0, 2.0])}, binary=True)
    split = int(headers["Inference-Header-Content-Length"])
    meta = json.loads(body[:split])
    assert meta["outputs"][0]["parameters"]["binary_data_size"] == 16
    np.testing.assert_array_equal(np.frombuffer(body[split:], np.float64), [1.0, 2.0])
    tensor = {"name": "x", "shape": [2], "datatype": "INT64", "data": [1, 2]}
    as_json = parse_v2(json.dumps({"inputs": [tensor]}).encode(), None)
    assert as_json.tensors["x"].tolist() == [1, 2] and not as_json.binary_output
    for bad, length in (
        (b'{"inputs": []}', None),
        (b'{"inputs": [{"name": "x", "shape": [3], "datatype": "FP64", "data": [1]}]}', None),
        (b'{"inputs": [{"name": "x", "shape": [1], "datatype": "COMPLEX", "data": [1]}]}', None),
        (raw + b"short", str(len(raw))),
        (raw, "999999"),
    ):
        with pytest.raises(BadRequest):
            parse_v2(bad, length)


@pytest.mark.parametrize(
    ("weights", "words"),
    [
        ({"1": 60, "2": 30}, "sum to 100, they sum to 90"),
        ({"1": 100, "3": 0}, "Unknown or non-live version"),
        ({"1": 120, "2": -20}, "0 to 100"),
        ({"1": 50.5, "2": 49.5}, "whole percents"),
        ({}, "each live version"),
    ],
)
def test_invalid_splits_are_refused(weights: dict[str, int], words: str) -> None:
    with pytest.raises(InvalidInput, match=words):
        check_weights(weights, ["1", "2"])


def test_canary_steps_and_decisions() -> None:
    for steps in ([100], [5, 5, 100], [10, 50], [0, 100], [50, 20, 100]):
        with pytest.raises(InvalidInput, match="Canary steps"):
            check_steps(CanaryPolicy(version="2", steps=steps))
    policy = CanaryPolicy(version="2", steps=[10, 50, 100], min_requests=20, min_seconds=5)
    policy = policy.model_copy(update={"max_error_rate": 0.01, "p95_slo_ms": 50, "rollback_min_requests": 10})
    state = CanaryState(policy=policy, baseline="1", step=0, status="running", step_started_at=100.0)

    def decide(n: int, errors: int, p95: float, now: float, step: int = 0) -> str:
        window = {"window_requests": n, "window_errors": errors, "p95_ms": p95}
        return canary_decision(state.model_copy(update={"step": step}), window, now).action

    assert decide(5, 5, 10, 200) == "hold"  # too few requests to judge
    assert decide(10, 1, 10, 101) == "rollback"  # 10% errors
    assert decide(100, 1, 10, 101) == "hold"  # 1% is the limit, not beyond it; too early to move on
    assert decide(30, 0, 80, 200) == "rollback"  # p95 beyond the SLO
    assert decide(30, 0, 10, 200) == "advance"
    assert decide(30, 0, 10, 200, step=1) == "promote"  # the next share is 100%: the registry decides


def test_msprt_flags_a_real_difference_and_rarely_a_null_one() -> None:
    rng = np.random.default_rng(0)

    def sums(values: np.ndarray) -> dict[str, float]:
        return {"n": len(values), "sum": float(values.sum()), "sum_sq": float((values**2).sum())}

    real = msprt("2", "1", sums(rng.random(400) < 0.6), sums(rng.random(400) < 0.3))
    assert real.significant and real.p_value is not None and real.p_value < 1e-6
    assert real.difference == pytest.approx(0.3, abs=0.08) and real.ci95 is not None
    false_alarms = 0
    for _ in range(200):  # no difference, many looks: an always-valid test stays under its level
        a, b = rng.normal(0, 1, 300), rng.normal(0, 1, 300)
        looks = [msprt("2", "1", sums(a[:n]), sums(b[:n])).significant for n in range(20, 301, 20)]
        false_alarms += any(looks)
    assert false_alarms / 200 <= 0.05
    assert not msprt("2", "1", sums(np.array([1.0])), sums(np.array([0.0, 1.0]))).significant
