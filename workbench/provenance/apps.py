from django.apps import AppConfig


class ProvenanceConfig(AppConfig):
    name = "workbench.provenance"
    label = "provenance"
    default_auto_field = "django.db.models.BigAutoField"
