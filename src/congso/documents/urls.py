from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("tai-khoan/giay-to/", views.document_list, name="list"),
    path("tai-khoan/giay-to/<uuid:public_id>/tai-ve/", views.document_download, name="download"),
    path("tai-khoan/giay-to/<uuid:public_id>/xoa/", views.document_delete, name="delete"),
]
