"""Public URLs of the case library besides its pages: the print view of a case."""

from django.urls import path

from .views import case_print

app_name = "casebank"

urlpatterns = [
    path("cases/<int:pk>/print/", case_print, name="case_print"),
]
