"""The fixed taxonomy of causes (DESIGN.md; issue on projects). Data only: no app code imported."""

from django.db import migrations

CAUSES = [
    ("environment-climate", "Environnement et climat", "Environment and climate"),
    ("poverty-inclusion", "Pauvreté et inclusion", "Poverty and inclusion"),
    ("democracy-civic-life", "Démocratie et vie civique", "Democracy and civic life"),
    ("global-south", "Développement des pays du Sud", "Development of the Global South"),
    ("health", "Santé", "Health"),
    ("education", "Éducation", "Education"),
    ("digital-inclusion", "Inclusion numérique", "Digital inclusion"),
    ("culture", "Culture", "Culture"),
]


def add_causes(apps, schema_editor):
    Cause = apps.get_model("core", "Cause")
    for position, (slug, name_fr, name_en) in enumerate(CAUSES):
        Cause.objects.update_or_create(
            slug=slug, defaults={"name_fr": name_fr, "name_en": name_en, "position": position}
        )


def remove_causes(apps, schema_editor):
    apps.get_model("core", "Cause").objects.filter(slug__in=[c[0] for c in CAUSES]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_cause")]
    operations = [migrations.RunPython(add_causes, remove_causes)]
