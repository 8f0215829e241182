from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "workbench.api"
    label = "api"
    verbose_name = "REST API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Late: these modules use models, which exist only now. The tasks module registers deliver_webhook, which the
        # services send by name.
        from workbench.api import receivers, tasks  # noqa: F401

        receivers.connect()
