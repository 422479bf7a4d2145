from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "congso.registry"
    label = "registry"
    verbose_name = "Cơ sở dữ liệu nền (Registries)"
