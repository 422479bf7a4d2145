from django.urls import path

from . import views

app_name = "notify"
urlpatterns = [
    path("tai-khoan/thong-bao/", views.inbox, name="inbox"),
    path("tai-khoan/thong-bao/<int:message_id>/da-doc/", views.inbox_mark_read, name="inbox_mark_read"),
    path("dev/phone", views.dev_phone, name="dev_phone"),
    path("dev/phone.json", views.dev_phone_json, name="dev_phone_json"),
    path("dev/mail", views.dev_mail, name="dev_mail"),
    path("dev/mail.json", views.dev_mail_json, name="dev_mail_json"),
]
