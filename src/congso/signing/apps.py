from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "congso.signing"
    label = "signing"
    verbose_name = "Ký số (Digital signatures)"
