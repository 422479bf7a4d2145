"""The back office: queues, a dossier's actions, the process control sheet; the verification page."""

from django.urls import path

from . import views_office

urlpatterns = [
    path("mot-cua/", views_office.office_queue, name="office_queue"),
    path("mot-cua/ho-so/<str:code>/", views_office.office_dossier, name="office_dossier"),
    path("mot-cua/ho-so/<str:code>/xu-ly/<slug:action>/", views_office.office_action, name="office_action"),
    path(
        "mot-cua/ho-so/<str:code>/phieu-kiem-soat/",
        views_office.office_control_sheet,
        name="office_control_sheet",
    ),
    path(
        "mot-cua/ho-so/<str:code>/giay-to/<int:item_id>/",
        views_office.office_document,
        name="office_document",
    ),
    path("mot-cua/ho-so/<str:code>/ket-qua/", views_office.office_result, name="office_result"),
    path("mot-cua/ho-so/<str:code>/thu/<slug:kind>/", views_office.office_letter, name="office_letter"),
    path("verify/<str:code>", views_office.verify, name="verify"),
]
