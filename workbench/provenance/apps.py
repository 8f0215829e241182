from django.apps import AppConfig


class ProvenanceConfig(AppConfig):
    name = "workbench.provenance"
    label = "provenance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the tasks the services send by name (workbench.core.tasks.task_send); late, as they use models.
        from workbench.provenance import tasks  # noqa: F401
