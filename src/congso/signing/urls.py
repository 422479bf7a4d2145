from django.urls import path

from . import views

app_name = "signing"
urlpatterns = [
    path("xac-minh-chu-ky/", views.signature_check, name="signature_check"),
]
