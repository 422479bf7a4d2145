from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "congso.identity"
    label = "identity"
    verbose_name = "Định danh điện tử (Identity)"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .messages import register_message_defaults

        register_message_defaults()
