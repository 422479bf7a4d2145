from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "congso.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ thủ tục hành chính (Dossiers)"

    def ready(self) -> None:
        from .messages import register_message_defaults

        register_message_defaults()
