"""The initial skills and working languages. Data only: no app code imported."""

from django.db import migrations

SKILLS = [
    ("python", "Python", "Python"),
    ("javascript", "JavaScript / TypeScript", "JavaScript / TypeScript"),
    ("java", "Java", "Java"),
    ("php", "PHP", "PHP"),
    ("frontend", "Développement front-end", "Front-end development"),
    ("backend", "Développement back-end", "Back-end development"),
    ("mobile", "Applications mobiles", "Mobile apps"),
    ("data", "Données et analyse", "Data and analytics"),
    ("databases", "Bases de données", "Databases"),
    ("devops", "DevOps et hébergement", "DevOps and hosting"),
    ("security", "Sécurité", "Security"),
    ("ux-design", "Design UX / UI", "UX / UI design"),
    ("accessibility", "Accessibilité numérique", "Digital accessibility"),
    ("testing", "Tests et qualité", "Testing and quality"),
    ("project-management", "Gestion de projet", "Project management"),
    ("business-analysis", "Analyse fonctionnelle", "Business analysis"),
    ("gis", "Cartographie (SIG)", "Mapping (GIS)"),
    ("machine-learning", "Apprentissage automatique", "Machine learning"),
    ("technical-writing", "Rédaction technique", "Technical writing"),
    ("training", "Formation", "Training"),
]

LANGUAGES = [
    ("fr", "Français", "French"),
    ("en", "Anglais", "English"),
    ("es", "Espagnol", "Spanish"),
    ("de", "Allemand", "German"),
    ("it", "Italien", "Italian"),
    ("pt", "Portugais", "Portuguese"),
    ("ar", "Arabe", "Arabic"),
]


def add(apps, schema_editor):
    for model, rows in (("Skill", SKILLS), ("Language", LANGUAGES)):
        Model = apps.get_model("core", model)
        for position, (slug, name_fr, name_en) in enumerate(rows):
            Model.objects.update_or_create(
                slug=slug, defaults={"name_fr": name_fr, "name_en": name_en, "position": position}
            )


def remove(apps, schema_editor):
    apps.get_model("core", "Skill").objects.filter(slug__in=[r[0] for r in SKILLS]).delete()
    apps.get_model("core", "Language").objects.filter(slug__in=[r[0] for r in LANGUAGES]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0003_skill_language")]
    operations = [migrations.RunPython(add, remove)]
