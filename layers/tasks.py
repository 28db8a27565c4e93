from procrastinate.contrib.django import app

from layers.jobs import run_import_job


@app.task(name="layers.run_import", queue="imports")
def run_import(job_id: str) -> None:
    run_import_job(job_id)
