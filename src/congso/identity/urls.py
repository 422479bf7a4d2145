from django.urls import path

from . import views

app_name = "identity"
urlpatterns = [
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-nhap/xac-thuc/", views.login_verify, name="login_verify"),
    path("dang-nhap/khoa-truy-cap/tuy-chon/", views.passkey_login_options, name="passkey_login_options"),
    path("dang-nhap/khoa-truy-cap/", views.passkey_login, name="passkey_login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("kich-hoat/", views.activation_start, name="activation_start"),
    path("kich-hoat/ma-xac-thuc/", views.activation_code, name="activation_code"),
    path("kich-hoat/mat-khau/", views.activation_password, name="activation_password"),
    path("quen-mat-khau/", views.recovery_start, name="recovery_start"),
    path("quen-mat-khau/ma-xac-thuc/", views.recovery_code, name="recovery_code"),
    path("quen-mat-khau/mat-khau/", views.recovery_password, name="recovery_password"),
    path("tai-khoan/", views.account_home, name="account"),
    path("tai-khoan/bao-mat/", views.security, name="security"),
    path("tai-khoan/bao-mat/mat-khau/", views.password_change, name="password_change"),
    path("tai-khoan/bao-mat/ung-dung-xac-thuc/", views.totp_add, name="totp_add"),
    path("tai-khoan/bao-mat/ung-dung-xac-thuc/xoa/", views.totp_remove, name="totp_remove"),
    path(
        "tai-khoan/bao-mat/khoa-truy-cap/tuy-chon/",
        views.passkey_register_options,
        name="passkey_register_options",
    ),
    path("tai-khoan/bao-mat/khoa-truy-cap/them/", views.passkey_add, name="passkey_add"),
    path(
        "tai-khoan/bao-mat/khoa-truy-cap/<int:passkey_id>/xoa/", views.passkey_remove, name="passkey_remove"
    ),
    path("tai-khoan/bao-mat/mot-thiet-bi/", views.single_device, name="single_device"),
    path("tai-khoan/phien-dang-nhap/", views.sessions, name="sessions"),
    path("tai-khoan/lich-su-dang-nhap/", views.login_history, name="login_history"),
    path("tai-khoan/to-chuc/", views.organisations, name="organisations"),
    path("tai-khoan/to-chuc/<str:code>/", views.organisation_manage, name="organisation_manage"),
    path(
        "tai-khoan/to-chuc/<str:code>/uy-quyen/<int:authorisation_id>/thu-hoi/",
        views.organisation_authorisation_revoke,
        name="organisation_authorisation_revoke",
    ),
    path("can-bo/xac-thuc-muc-2/", views.level2, name="level2"),
    path("can-bo/vai-tro/", views.officer_roles, name="officer_roles"),
]
