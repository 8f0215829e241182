"""Tokens issued before scopes were capped by roles: a review scope held by a user in no reviewer group is removed."""

from django.db import migrations


def narrow(apps, schema_editor):
    from workbench.api.scopes import api_tokens_narrow_to_roles

    api_tokens_narrow_to_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("review", "0003_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(narrow, migrations.RunPython.noop)]
