"""Addresses of the dossier pages: the applicant's side, the back office and public checks."""

from django.urls import include, path

app_name = "dossiers"
urlpatterns = [
    path("", include("congso.dossiers.urls_citizen")),
    path("", include("congso.dossiers.urls_office")),
]
