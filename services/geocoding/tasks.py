from procrastinate.contrib.django import app

from services.geocoding.batch import run_batch_job
from services.geocoding.build import build_gazetteer
from services.geocoding.models import GazetteerBuild


@app.task(name="geocoding.run_batch", queue="jobs")
def run_batch(job_id: str) -> None:
    run_batch_job(job_id)


@app.task(name="geocoding.build_gazetteer", queue="jobs")
def rebuild(build_id: int) -> None:
    build_gazetteer(GazetteerBuild.objects.get(pk=build_id))
