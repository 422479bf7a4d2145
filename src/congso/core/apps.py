from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "congso.core"
    label = "core"
    verbose_name = "Nền tảng chung (Core)"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from congso.core.calendar import _on_override_change
        from congso.core.models import CalendarOverride

        # Deadlines are computed from a per-process cache of the overrides; any change to
        # them, from the admin, the loader or a shell, must drop it.
        post_save.connect(_on_override_change, sender=CalendarOverride, dispatch_uid="core.calendar.saved")
        post_delete.connect(
            _on_override_change, sender=CalendarOverride, dispatch_uid="core.calendar.deleted"
        )
