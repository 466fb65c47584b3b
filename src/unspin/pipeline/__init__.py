"""Run one step over many documents: the step contract (`step.Step`) and the local runner
(`local.run_local`: jobs, resume, progress) behind `unspin scan`, `restore --jsonl`; the Spark
executor (`unspin.engines.spark`) runs the same steps."""

from unspin.pipeline.local import (
    ErrorRecord,
    ResumeState,
    RunStats,
    completed_ids,
    default_error_record,
    resume_state,
    run_local,
)
from unspin.pipeline.step import Step, check_requirement

__all__ = [
    "ErrorRecord",
    "ResumeState",
    "RunStats",
    "Step",
    "check_requirement",
    "completed_ids",
    "default_error_record",
    "resume_state",
    "run_local",
]
