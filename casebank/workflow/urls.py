"""Front-end URLs of teachers' case submissions (included by cms.urls)."""

from django.urls import path

from . import submit_views

app_name = "casebank_submit"

urlpatterns = [
    path("cases/submit/", submit_views.submit_case, name="submit"),
    path("cases/mine/", submit_views.my_submissions, name="mine"),
    path("cases/mine/<int:pk>/edit/", submit_views.edit_submission, name="edit"),
    path("cases/mine/<int:pk>/redact/", submit_views.redact_submission, name="redact"),
]
