"""Model cards (bootstrap intervals checked against a direct computation) and lineage both ways."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient
from sklearn.metrics import accuracy_score, roc_auc_score

from matih_workbench.errors import InvalidInput
from matih_workbench.models import Decision, ModelCardUpdate, ModelStage
from matih_workbench.services import Workbench
from matih_workbench.services.registry import card_render

from .conftest import holdout_frame, make_run


def direct_bootstrap(frame: pd.DataFrame, samples: int, seed: int) -> dict[str, tuple[float, float]]:
    """The documented method, written out with numpy and scikit-learn's metrics."""
    y, s = frame["y_true"].to_numpy(), frame["y_score"].to_numpy()
    p = (s >= 0.5).astype(int)
    rng = np.random.default_rng(seed)
    aucs, accs = [], []
    for _ in range(samples):
        idx = rng.integers(0, len(y), len(y))
        if len(set(y[idx])) == 2:
            aucs.append(roc_auc_score(y[idx], s[idx]))
        accs.append(accuracy_score(y[idx], p[idx]))
    return {
        "auc": tuple(np.quantile(aucs, [0.025, 0.975])),  # type: ignore[dict-item]
        "accuracy": tuple(np.quantile(accs, [0.025, 0.975])),  # type: ignore[dict-item]
    }


def test_card_intervals_match_a_direct_computation(workbench: Workbench, client: MlflowClient) -> None:
    frame = holdout_frame(300, seed=3)
    run_id = make_run(client, {"auc": 0.8, "train_loss": 0.3}, holdout=frame)
    workbench.registry.register(run_id, "churn")
    card = workbench.cards.card("churn", 1, samples=500, seed=11)
    expected = direct_bootstrap(frame, 500, 11)
    assert card.primary_metric is not None and card.primary_metric.name == "auc"
    assert card.primary_metric.holdout_value == pytest.approx(
        roc_auc_score(frame["y_true"], frame["y_score"])
    )
    assert (card.primary_metric.ci_low, card.primary_metric.ci_high) == pytest.approx(expected["auc"])
    assert card.primary_metric.value == 0.8  # the run's logged value, next to the recomputed one
    accuracy = next(m for m in card.secondary_metrics if m.name == "accuracy")
    assert (accuracy.ci_low, accuracy.ci_high) == pytest.approx(expected["accuracy"])
    assert card.holdout_rows == 300 and card.holdout_source == f"runs:/{run_id}/holdout_predictions.csv"
    assert "train_loss" in [m.name for m in card.secondary_metrics]
    other_seed = workbench.cards.card("churn", 1, samples=500, seed=12).primary_metric
    assert other_seed is not None and other_seed.ci_low != card.primary_metric.ci_low


def test_card_fairness_text_history_and_exports(
    workbench: Workbench, client: MlflowClient, as_user: Callable[..., Workbench]
) -> None:
    frame = holdout_frame(400)
    run_id = make_run(client, {"auc": 0.8}, holdout=frame, datasets=[("churn-train", "d1")])
    alice, lead = as_user("alice"), as_user("lead")
    alice.registry.register(run_id, "churn", description="Churn classifier")
    update = ModelCardUpdate(
        intended_use="Rank accounts for retention calls.",
        limitations="Trained on 2025 data only.",
        drift_sensitivity="Sensitive to pricing changes.",
        protected_attribute="group",
    )
    card = alice.cards.update("churn", 1, update)
    assert card.limitations == "Trained on 2025 data only." and card.description == "Churn classifier"
    assert card.fairness is not None and [g.group for g in card.fairness.groups] == ["a", "b"]
    pred = (frame["y_score"] >= 0.5).astype(int)
    rates = [pred[frame["group"] == g].mean() for g in ("a", "b")]
    assert card.fairness.demographic_parity_difference == pytest.approx(abs(rates[0] - rates[1]))
    assert card.fairness.groups[0].n == int((frame["group"] == "a").sum())
    alice.registry.transition("churn", 1, ModelStage.STAGING)
    request = alice.registry.transition("churn", 1, ModelStage.PRODUCTION).request
    assert request is not None
    lead.registry.decide(request.id, Decision(decision="approve", comment="ok"))
    card = alice.cards.card("churn", 1)
    assert [h.type for h in card.history][-1] == "MODEL_PROMOTED"
    assert [d.name for d in card.training_data] == ["churn-train"]
    markdown = card_render.markdown(card)
    for text in (
        "# Model card: churn version 1 (Production)",
        "Rank accounts",
        "churn-train",
        "| auc (primary)",
    ):
        assert text in markdown
    assert "Fairness across group" in markdown and "MODEL_PROMOTION_REQUESTED" in markdown
    html = card_render.html(card)
    assert html.startswith("<!DOCTYPE html>") and "Sensitive to pricing changes." in html
    cleared = alice.cards.update("churn", 1, ModelCardUpdate(limitations=""))
    assert cleared.limitations is None and cleared.intended_use == "Rank accounts for retention calls."


def test_card_refuses_bad_holdouts(workbench: Workbench, client: MlflowClient) -> None:
    workbench.registry.register(make_run(client, {"auc": 0.8}), "churn")
    card = workbench.cards.card("churn", 1)
    assert (
        card.holdout_rows is None and card.primary_metric is not None and card.primary_metric.ci_low is None
    )
    with pytest.raises(InvalidInput, match="lack y_true"):
        workbench.cards.card("churn", 1, holdout=pd.DataFrame({"y": [1, 0]}))
    with pytest.raises(InvalidInput, match="missing or infinite"):
        workbench.cards.card("churn", 1, holdout=pd.DataFrame({"y_true": [1, 0], "y_score": [0.2, None]}))
    with pytest.raises(InvalidInput, match="not a column"):
        workbench.cards.card("churn", 1, holdout=holdout_frame(50), protected_attribute="age")
    with pytest.raises(InvalidInput, match="needs holdout"):
        workbench.cards.card("churn", 1, protected_attribute="group")
    regression = pd.DataFrame({"y_true": [1.5, 2.0, 3.2, 4.1], "y_pred": [1.4, 2.2, 3.0, 4.4]})
    metrics = workbench.cards.card("churn", 1, holdout=regression, samples=50)
    assert metrics.primary_metric is not None and metrics.primary_metric.name == "rmse"
    digits = pd.DataFrame({"y_true": [0, 3, 7, 7, 2, 9], "y_pred": [0, 3, 7, 1, 2, 9]})
    multiclass = workbench.cards.card("churn", 1, holdout=digits, samples=50).primary_metric
    assert multiclass is not None and multiclass.name == "accuracy"
    assert multiclass.holdout_value == pytest.approx(5 / 6)


def test_lineage_both_ways(workbench: Workbench, client: MlflowClient) -> None:
    tags = {"mlflow.source.git.commit": "0123456789abcdef", "matih.notebook_path": "notebooks/churn.ipynb"}
    parent = make_run(client, datasets=[("churn-train", "v1digest")], log_model=False)
    child = make_run(client, {"auc": 0.9}, tags={**tags, "mlflow.parentRunId": parent})
    other = make_run(client, {"auc": 0.8}, datasets=[("churn-train", "v2digest")])
    unrelated = make_run(client, {"auc": 0.8}, datasets=[("fraud", "f1")])
    for run_id in (child, other):
        workbench.registry.register(run_id, "churn")
    workbench.registry.register(unrelated, "fraud")
    lineage = workbench.lineage.version_lineage("churn", 1)
    assert lineage.run_id == child and lineage.code.git_commit == "0123456789abcdef"
    assert lineage.code.notebook_path == "notebooks/churn.ipynb" and lineage.code.parent_run_id == parent
    assert [(d.name, d.digest, d.run_id, d.context) for d in lineage.datasets] == [
        ("churn-train", "v1digest", parent, "training")
    ]
    ids = {n.id for n in lineage.nodes}
    assert {f"run:{child}", f"run:{parent}", "dataset:churn-train@v1digest", "model_version:churn/1"} <= ids
    assert all(e.source in ids and e.target in ids for e in lineage.edges)
    by_name = workbench.lineage.dataset_versions("churn-train")
    assert [(v.name, v.version, v.dataset_digest) for v in by_name.versions] == [
        ("churn", 1, "v1digest"),
        ("churn", 2, "v2digest"),
    ]
    by_digest = workbench.lineage.dataset_versions(digest="v2digest")
    assert [(v.name, v.version) for v in by_digest.versions] == [("churn", 2)]
    assert workbench.lineage.dataset_versions("churn-train", "nope").versions == []
    with pytest.raises(InvalidInput):
        workbench.lineage.dataset_versions(" ", None)
