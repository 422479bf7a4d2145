from django.apps import AppConfig


class OidcConfig(AppConfig):
    """The OpenID Connect provider of the identity domain (its own migrations)."""

    name = "congso.identity.oidc"
    label = "oidc"
    verbose_name = "OpenID Connect"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
