import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def firm_from_bench_period(apps, schema_editor):
    Mission = apps.get_model("bench", "Mission")
    BenchPeriod = apps.get_model("bench", "BenchPeriod")
    Mission.objects.filter(firm__isnull=True).update(
        firm_id=Subquery(
            BenchPeriod.objects.filter(pk=OuterRef("bench_period_id")).values("firm_id")[:1]
        )
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_sponsorship_eligibility_and_fiscal_year_end'),
        ('bench', '0007_list_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='mission',
            name='firm',
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name='missions_lent',
                to='accounts.organisation',
            ),
        ),
        migrations.RunPython(firm_from_bench_period, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='mission',
            name='firm',
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name='missions_lent',
                to='accounts.organisation',
            ),
        ),
    ]
