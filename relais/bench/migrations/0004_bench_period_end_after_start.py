"""A bench period never ends before it starts: recalls dated before the start (possible on a
requested or refused period) are moved to the start, then the database holds the rule."""

from django.db import migrations, models


def end_no_earlier_than_start(apps, schema_editor):
    BenchPeriod = apps.get_model("bench", "BenchPeriod")
    Recall = apps.get_model("bench", "Recall")
    for period in BenchPeriod.objects.filter(end__lt=models.F("start")):
        period.end = period.start
        period.save(update_fields=["end"])
        Recall.objects.filter(bench_period=period, effective_date__lt=period.start).update(
            effective_date=period.start
        )


class Migration(migrations.Migration):
    dependencies = [
        ("bench", "0003_mission_beneficiary_acceptance"),
    ]

    operations = [
        migrations.RunPython(end_no_earlier_than_start, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="benchperiod",
            constraint=models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="bench_end_after_start",
            ),
        ),
    ]
