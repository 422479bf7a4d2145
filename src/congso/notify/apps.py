from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


class NotifyConfig(AppConfig):
    name = "congso.notify"
    label = "notify"
    verbose_name = "Thông báo (Notifications)"

    def ready(self) -> None:
        from .checks import check_sms_backend
        from .signals import on_post_migrate

        # Production configuration: reported by `manage.py check --deploy`.
        checks.register(check_sms_backend, "notify", deploy=True)
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="notify.post_migrate")
