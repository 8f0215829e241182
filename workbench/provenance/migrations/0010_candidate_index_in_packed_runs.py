"""The candidate index moves from a row per posting (CandidateBand, CandidateDoc) to entries, pending postings and
packed runs (CandidateEntry, CandidatePending, CandidateRun, CandidateBlock, CandidateCrowdedKey). Every indexed article keeps its
postings: each CandidateDoc becomes an entry and its postings become pending ones, which the next compaction (or
``manage.py candidates_rebuild --compact``) packs into runs."""

import django.db.models.deletion
from django.db import migrations, models


def _postings_carry_over(apps, schema_editor):
    CandidateDoc = apps.get_model("provenance", "CandidateDoc")
    CandidateBand = apps.get_model("provenance", "CandidateBand")
    CandidateEntry = apps.get_model("provenance", "CandidateEntry")
    CandidatePending = apps.get_model("provenance", "CandidatePending")
    for doc in CandidateDoc.objects.order_by("pk").iterator():
        entry = CandidateEntry.objects.create(
            article_id=doc.article_id,
            version_id=doc.version_id,
            signature_version=doc.signature_version,
            postings=doc.postings,
        )
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                "INSERT INTO provenance_candidatepending (key, entry_id, sentence) "
                "SELECT key, %s, sentence FROM provenance_candidateband WHERE article_id = %s ORDER BY id",
                [entry.pk, doc.article_id],
            )
            continue
        CandidatePending.objects.bulk_create(
            CandidatePending(key=band.key, entry_id=entry.pk, sentence=band.sentence)
            for band in CandidateBand.objects.filter(article_id=doc.article_id).order_by("pk")
        )



class Migration(migrations.Migration):

    dependencies = [
        ('provenance', '0009_story_origin_reasons_and_parent'),
        ('sources', '0002_article_tracking'),
    ]

    operations = [
        migrations.CreateModel(
            name='CandidateRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.PositiveSmallIntegerField()),
                ('bucket_bits', models.PositiveSmallIntegerField()),
                ('postings', models.BigIntegerField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name='CandidateEntry',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('signature_version', models.PositiveSmallIntegerField(default=0)),
                ('postings', models.PositiveIntegerField(default=0)),
                ('indexed_at', models.DateTimeField(auto_now=True)),
                ('article', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='candidate_entry', to='sources.article')),
                ('version', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sources.articleversion')),
            ],
        ),
        migrations.CreateModel(
            name='CandidatePending',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('key', models.BigIntegerField()),
                ('entry_id', models.BigIntegerField()),
                ('sentence', models.PositiveSmallIntegerField()),
            ],
            options={
                'indexes': [models.Index(fields=['key'], include=('entry_id', 'sentence'), name='candidatepending_key'), models.Index(fields=['entry_id'], name='candidatepending_entry')],
            },
        ),
        migrations.CreateModel(
            name='CandidateBlock',
            fields=[
                ('pk', models.CompositePrimaryKey('run', 'bucket', blank=True, editable=False, primary_key=True, serialize=False)),
                ('bucket', models.IntegerField()),
                ('postings', models.BinaryField()),
                ('run', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='blocks', to='provenance.candidaterun')),
            ],
        ),
        migrations.CreateModel(
            name='CandidateCrowdedKey',
            fields=[
                ('key', models.BigIntegerField(primary_key=True, serialize=False)),
            ],
        ),
        migrations.RunPython(_postings_carry_over, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='candidatedoc',
            name='article',
        ),
        migrations.RemoveField(
            model_name='candidatedoc',
            name='version',
        ),
        migrations.DeleteModel(
            name='CandidateBand',
        ),
        migrations.DeleteModel(
            name='CandidateDoc',
        ),
    ]
