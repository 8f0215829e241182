"""The pipeline's periodic tasks, as editable django-celery-beat rows. Re-running creates nothing twice."""

from django.db import migrations

SCHEDULE = [
    # (name, task, every seconds, description)
    (
        "provenance: re-arm stuck trace jobs",
        "provenance.sweep_trace_jobs",
        60,
        "Re-sends jobs queued too long or whose lease expired; fails jobs out of attempts.",
    ),
    (
        "sources: re-verify tracked articles",
        "sources.reverify_due",
        300,
        "Re-fetches tracked articles whose next_fetch_at has passed; changed ones are re-traced.",
    ),
]


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, every_s, description in SCHEDULE:
        interval, _ = IntervalSchedule.objects.get_or_create(every=every_s, period="seconds")
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": interval, "description": description, "enabled": True}
        )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in SCHEDULE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("provenance", "0002_trace_job_pipeline"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
