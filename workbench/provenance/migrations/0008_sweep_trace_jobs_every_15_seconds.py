"""The sweeper runs every 15 seconds instead of every minute: with trace jobs' heartbeats, a dead worker's job is
re-armed within a lease (30 s) and this interval of its last heartbeat. An interval an operator changed is left."""

from django.db import migrations

SWEEPER = "provenance: re-arm stuck trace jobs"
BEFORE_S, AFTER_S = 60, 15


def _interval_set(apps, *, was_s: int, every_s: int) -> None:
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=every_s, period="seconds")
    PeriodicTask.objects.filter(name=SWEEPER, interval__every=was_s, interval__period="seconds").update(
        interval=interval,
        description="Re-sends jobs queued too long or whose heartbeat stopped (lease run out); "
        "fails jobs out of attempts.",
    )


def sweep_more_often(apps, schema_editor):
    _interval_set(apps, was_s=BEFORE_S, every_s=AFTER_S)


def sweep_every_minute(apps, schema_editor):
    _interval_set(apps, was_s=AFTER_S, every_s=BEFORE_S)


class Migration(migrations.Migration):
    dependencies = [
        ("provenance", "0007_trace_job_upload_meta"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(sweep_more_often, sweep_every_minute)]
