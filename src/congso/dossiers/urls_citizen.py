"""The applicant's pages: the wizard, my dossiers, the public lookup."""

from django.urls import path

from . import views_citizen as views

urlpatterns = [
    # The catalog's procedure page links here once it resolves (catalog.views.APPLY_PATH).
    path("thu-tuc/<str:code>/nop-ho-so/", views.apply_start, name="apply"),
    path("ho-so/", views.dossier_list, name="mine"),
    path("ho-so/nhap/<uuid:public_id>/nop/", views.draft_submit, name="draft_submit"),
    path("ho-so/nhap/<uuid:public_id>/xoa/", views.draft_delete, name="draft_delete"),
    path("ho-so/nhap/<uuid:public_id>/<slug:step>/", views.draft_step, name="draft_step"),
    path("ho-so/<str:code>/", views.dossier_detail, name="detail"),
    path("ho-so/<str:code>/bien-nhan/", views.receipt, name="receipt"),
    path("ho-so/<str:code>/bien-nhan.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("ho-so/<str:code>/bo-sung/", views.dossier_supply, name="supply"),
    path("ho-so/<str:code>/rut/", views.dossier_withdraw, name="withdraw"),
    path("ho-so/<str:code>/danh-gia/", views.dossier_rate, name="rate"),
    path("ho-so/<str:code>/giay-to/<uuid:public_id>/", views.dossier_document, name="document"),
    path("tra-cuu/ho-so/", views.public_lookup, name="lookup"),
]
