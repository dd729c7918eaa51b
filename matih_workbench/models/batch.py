"""Batch scoring: a registered version run over a table, its predictions written to Parquet."""

from __future__ import annotations

from pydantic import BaseModel, Field

from matih_workbench.models.registry import ModelStage


class BatchScoringResult(BaseModel):
    """What one ``%matih predict`` did: which version scored which input, and where the output is."""

    model: str
    version: int
    stage: ModelStage = Field(description="The version's stage when scoring started.")
    model_uri: str = Field(description="models:/NAME/VERSION")
    source: str = Field(description="The input: 'DataFrame' or the Parquet path that was read.")
    out: str = Field(description="The Parquet output: one file, or a folder of part files.")
    files: list[str] = Field(default_factory=list, description="The Parquet files written, in row order.")
    rows: int = Field(ge=0)
    columns: list[str] = Field(description="Output columns: the input's, then the prediction columns.")
    prediction_columns: list[str]
    seconds: float = Field(ge=0, description="Wall time of the scoring run.")
    started_at: float = Field(description="Seconds since the epoch.")
    user: str
    lineage_tag: str = Field(description="The version tag recording this run (matih.batch.<timestamp>).")
