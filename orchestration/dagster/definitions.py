"""Dagster definitions for this Meltano project, built on dagster-meltano.

One Dagster job per Meltano job (`meltano job list`) and one schedule per Meltano schedule (`meltano schedule list`),
read through dagster-meltano's MeltanoResource, so meltano.yml stays the only place jobs and schedules are declared.

dagster-meltano runs `meltano run <task> --force`, which switches off Meltano's own "already running" refusal, so
the guards live in Dagster (instance settings in dagster.yaml beside this file):
- every run carries the tag `meltano/job: <job name>`; the run queue allows one run per distinct value;
- every op (one `meltano run`, i.e. one tap process) is in the pool `wms`, whose slot limit caps how many taps talk
  to the tenant at once: WMS requests in flight <= pool limit x the tap's max_concurrent_requests.

Environment: MELTANO_PROJECT_ROOT (default: the repository holding this file), `meltano` on PATH, and whatever the
Meltano project reads (MELTANO_ENVIRONMENT, TAP_ORACLE_WMS_*, TARGET_ORACLE_*, MELTANO_DATABASE_URI).
"""

import os
from pathlib import Path

from dagster import Definitions, JobDefinition, job
from dagster_meltano import meltano_resource, meltano_run_op
from dagster_meltano.meltano_resource import MeltanoResource
from dagster_meltano.schedule import Schedule
from dagster_meltano.utils import generate_dagster_name

PROJECT_DIR = os.environ.get("MELTANO_PROJECT_ROOT") or str(Path(__file__).resolve().parents[2])
JOB_TAG = "meltano/job"
WMS_POOL = "wms"
# Dagster's op concurrency key: ops sharing it share the pool's slots (dagster.yaml `concurrency: pools`).
POOL_TAG = "dagster/concurrency_key"


def dagster_job(meltano_job: dict) -> JobDefinition:
    """The Meltano job's tasks as ops run one after another, tagged for the run queue and the WMS pool."""
    name = meltano_job["job_name"]
    tasks = meltano_job["tasks"]

    @job(
        name=generate_dagster_name(name),
        description=f"Runs the Meltano job `{name}` (one run at a time; taps share the `{WMS_POOL}` pool).",
        tags={JOB_TAG: name},
        resource_defs={"meltano": meltano_resource.configured({"project_dir": PROJECT_DIR})},
    )
    def run_meltano_job():
        previous = []
        for task in tasks:
            previous = [meltano_run_op(task).tag({POOL_TAG: WMS_POOL})(after=previous)]

    return run_meltano_job


def build_definitions() -> Definitions:
    project = MeltanoResource(project_dir=PROJECT_DIR)
    jobs = [dagster_job(meltano_job) for meltano_job in project.meltano_yaml["jobs"]]
    schedules = [Schedule(entry).dagster_schedule for entry in project.meltano_yaml["schedules"]["job"]]
    return Definitions(jobs=jobs, schedules=schedules)


defs = build_definitions()
