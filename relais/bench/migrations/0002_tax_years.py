"""The dated parameters of skills sponsorship (PASS 2025 and 2026). Data only."""

from django.db import migrations

YEARS = {2025: 47_100_00, 2026: 48_060_00}


def add(apps, schema_editor):
    TaxYear = apps.get_model("bench", "TaxYear")
    for year, pass_cents in YEARS.items():
        TaxYear.objects.update_or_create(year=year, defaults={"pass_cents": pass_cents})


def remove(apps, schema_editor):
    apps.get_model("bench", "TaxYear").objects.filter(year__in=YEARS).delete()


class Migration(migrations.Migration):
    dependencies = [("bench", "0001_terms_roster_bench_missions_recalls")]
    operations = [migrations.RunPython(add, remove)]
