from django.contrib import admin
from django.urls import include, path

from congso.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("congso.web.urls")),
    path("", include("congso.registry.urls")),
    path("", include("congso.notify.urls")),
    path("", include("congso.exchange.urls")),
    path("", include("congso.catalog.urls")),
    path("", include("congso.signing.urls")),
    path("", include("congso.documents.urls")),
    path("", include("congso.dossiers.urls")),
    path("", include("congso.identity.urls")),
    path("", include("congso.identity.oidc.urls")),
]

handler400 = "congso.web.views.bad_request"
handler403 = "congso.web.views.permission_denied"
handler404 = "congso.web.views.page_not_found"
handler500 = "congso.web.views.server_error"
