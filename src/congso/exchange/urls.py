from django.urls import path, re_path

from . import views

app_name = "exchange"

_PART = r"[^/]+"
urlpatterns = [
    # X-Road REST addressing: /r1/{instance}/{memberClass}/{memberCode}/{subsystemCode}/{serviceCode}[/...]
    re_path(
        rf"^r1/(?P<instance>{_PART})/(?P<member_class>{_PART})/(?P<member_code>{_PART})"
        rf"/(?P<subsystem_code>{_PART})/(?P<service_code>{_PART})(?P<rest>/.*)?$",
        views.gateway,
        name="gateway",
    ),
    path("listClients", views.list_clients, name="list_clients"),
    path("exchange/oauth/token", views.token, name="token"),
    path("metrics", views.metrics_view, name="metrics"),
    path("tai-khoan/dong-y/", views.consent_list, name="consents"),
    path("tai-khoan/dong-y/<uuid:receipt_id>/", views.consent_receipt, name="consent_receipt"),
    path(
        "tai-khoan/dong-y/<uuid:receipt_id>/bien-nhan.json",
        views.consent_receipt_json,
        name="consent_receipt_json",
    ),
    path("tai-khoan/dong-y/<uuid:receipt_id>/thu-hoi/", views.consent_revoke, name="consent_revoke"),
    path("tai-khoan/du-lieu-cua-toi/", views.data_tracker, name="data_tracker"),
    path("tai-khoan/du-lieu-cua-toi/lich-su.csv", views.data_tracker_csv, name="data_tracker_csv"),
]
