"""Create the fact-checker and editor groups with the permissions each role needs."""

from django.db import migrations


def install_roles(apps, schema_editor):
    from workbench.review.roles import roles_install

    roles_install(apps)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["fact-checker", "editor"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sources", "0001_initial"),
        ("claims", "0001_initial"),
        ("provenance", "0001_initial"),
        ("review", "0002_claimassignment_reviewevent_reviewqueueitem_and_more"),
    ]

    operations = [migrations.RunPython(install_roles, remove_roles)]
