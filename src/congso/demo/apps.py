from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for the embedded tier (`make demo`); loads nothing unless asked."""

    name = "congso.demo"
    label = "demo"
    verbose_name = "Dữ liệu trình diễn (Demo data)"
