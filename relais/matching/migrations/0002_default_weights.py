"""The first version of the weights, so that a fresh database can run a round."""

from django.db import migrations


def seed(apps, schema_editor):
    Weights = apps.get_model("matching", "Weights")
    if not Weights.objects.exists():
        Weights.objects.create()


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
