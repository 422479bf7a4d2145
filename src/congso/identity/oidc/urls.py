"""Routes of the OpenID Connect provider, included at the site root.

django-oauth-toolkit reverses its endpoints in the ``oauth2_provider`` namespace (discovery,
the issuer, logout), so the protocol endpoints live there; the portal's own login pages are
in ``oidc``. The issuer is the site's origin: discovery is at the root, the endpoints under
``/oidc/``.
"""

from django.urls import include, path, re_path
from oauth2_provider import views as dot_views

from . import views

provider_patterns = [
    re_path(
        r"^\.well-known/openid-configuration$",
        views.DiscoveryView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path("oidc/authorize/", views.AuthorizeView.as_view(), name="authorize"),
    path("oidc/token/", views.TokenView.as_view(), name="token"),
    path("oidc/userinfo/", views.UserInfoView.as_view(), name="user-info"),
    path("oidc/jwks.json", views.JwksView.as_view(), name="jwks-info"),
    path("oidc/logout/", views.LogoutView.as_view(), name="rp-initiated-logout"),
    path("oidc/revoke/", dot_views.RevokeTokenView.as_view(), name="revoke-token"),
]

portal_patterns = [
    path("dang-nhap/cong/", views.portal_login, name="portal-login"),
    path("dang-nhap/cong/callback/", views.portal_callback, name="portal-callback"),
]

urlpatterns = [
    path("", include((provider_patterns, "oauth2_provider"))),
    path("", include((portal_patterns, "oidc"))),
]
