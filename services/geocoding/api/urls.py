from django.urls import path

from . import views

urlpatterns = [
    path("", views.Index.as_view(), name="geocoding"),
    path("search", views.Search.as_view(), name="geocoding-search"),
    path("reverse", views.Reverse.as_view(), name="geocoding-reverse"),
    path("suggest", views.Suggest.as_view(), name="geocoding-suggest"),
    path("batch", views.Batch.as_view(), name="geocoding-batch"),
    path("verify", views.Verify.as_view(), name="geocoding-verify"),
    path("jobs", views.Jobs.as_view(), name="geocoding-jobs"),
    path("jobs/<uuid:job_id>", views.Job.as_view(), name="geocoding-job"),
    path("jobs/<uuid:job_id>/result", views.JobResult.as_view(), name="geocoding-job-result"),
]
