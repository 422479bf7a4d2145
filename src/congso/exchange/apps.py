from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "congso.exchange"
    label = "exchange"
    verbose_name = "Nền tảng trao đổi dữ liệu (Data exchange)"
