"""Lifecycle events: written by services to the events store, streamed to every UI."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class EventType(StrEnum):
    MODEL_TRAINING_STARTED = "MODEL_TRAINING_STARTED"
    MODEL_TRAINING_COMPLETED = "MODEL_TRAINING_COMPLETED"
    MODEL_TRAINING_FAILED = "MODEL_TRAINING_FAILED"
    MODEL_TRAINING_CANCEL_REQUESTED = "MODEL_TRAINING_CANCEL_REQUESTED"
    MODEL_REGISTERED = "MODEL_REGISTERED"
    MODEL_PROMOTION_REQUESTED = "MODEL_PROMOTION_REQUESTED"
    MODEL_PROMOTED = "MODEL_PROMOTED"
    MODEL_PROMOTION_REJECTED = "MODEL_PROMOTION_REJECTED"
    MODEL_ARCHIVED = "MODEL_ARCHIVED"
    MODEL_CARD_EDITED = "MODEL_CARD_EDITED"
    MODEL_DEPLOYED = "MODEL_DEPLOYED"
    MODEL_UNDEPLOYED = "MODEL_UNDEPLOYED"
    MODEL_EXPORTED = "MODEL_EXPORTED"
    TRAFFIC_CHANGED = "TRAFFIC_CHANGED"
    SHADOW_STARTED = "SHADOW_STARTED"
    SHADOW_STOPPED = "SHADOW_STOPPED"
    CANARY_STARTED = "CANARY_STARTED"
    CANARY_STEP = "CANARY_STEP"
    CANARY_WAITING_APPROVAL = "CANARY_WAITING_APPROVAL"
    CANARY_PROMOTED = "CANARY_PROMOTED"
    CANARY_ROLLED_BACK = "CANARY_ROLLED_BACK"
    MODEL_DRIFT_DETECTED = "MODEL_DRIFT_DETECTED"
    MODEL_HEALTH_DEGRADED = "MODEL_HEALTH_DEGRADED"
    MODEL_RETRAINING_STARTED = "MODEL_RETRAINING_STARTED"
    MODEL_RETRAINING_COMPLETED = "MODEL_RETRAINING_COMPLETED"
    MODEL_RETRAINING_FAILED = "MODEL_RETRAINING_FAILED"
    FEATURES_MATERIALIZED = "FEATURES_MATERIALIZED"
    RUNS_CHANGED = "RUNS_CHANGED"


class WorkbenchEvent(BaseModel):
    id: int = Field(description="Position in the events store; increasing.")
    type: EventType
    time: float = Field(description="Seconds since the epoch.")
    user: str
    subject: str = Field(description="What the event is about: an experiment id, run id, model name...")
    payload: dict[str, Any] = Field(default_factory=dict)


class EventList(BaseModel):
    events: list[WorkbenchEvent]
