from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "congso.identity"
    label = "identity"
    verbose_name = "Định danh điện tử (Identity)"
