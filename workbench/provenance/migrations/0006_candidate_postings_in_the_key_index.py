import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('provenance', '0005_candidate_index'),
        ('sources', '0002_article_tracking'),
    ]

    operations = [
        migrations.AlterField(
            model_name='candidateband',
            name='article',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sources.article'),
        ),
        migrations.AddIndex(
            model_name='candidateband',
            index=models.Index(fields=['key'], include=('article', 'sentence'), name='candidateband_key_posting'),
        ),
        migrations.RemoveIndex(
            model_name='candidateband',
            name='candidateband_key',
        ),
    ]
