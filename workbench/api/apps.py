from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "workbench.api"
    label = "api"
    verbose_name = "REST API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from workbench.api import receivers

        receivers.connect()
