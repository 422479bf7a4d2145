from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("tra-cuu/doanh-nghiep/", views.organisation_lookup, name="organisation_lookup"),
]
