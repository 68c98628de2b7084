"""A mission needs the acceptance of the nonprofit that owns the project (three acceptances:
firm, beneficiary, consultant).

Missions made under the old two-step rule are never taken as accepted by their beneficiary: one
awaiting the agreement stays there, one whose agreement is drawn up now awaits the beneficiary,
and an active one goes back to awaiting the beneficiary (its consultant leaves the team until the
nonprofit accepts; their consent is kept, so the mission starts again as soon as it does). A
place on the team that such a mission gave, never consented to by the nonprofit, is removed, so
that it does not leave a former member's read access behind.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def await_the_beneficiary(apps, schema_editor):
    Mission = apps.get_model("bench", "Mission")
    TeamMember = apps.get_model("work", "TeamMember")
    now = timezone.now()
    Mission.objects.filter(status="awaiting", agreement_generated_at__isnull=False).update(
        status="drawn_up"
    )
    for mission in Mission.objects.filter(status="active", beneficiary_accepted_at__isnull=True):
        TeamMember.objects.filter(
            project_id=mission.project_id, user_id=mission.consultant_id, left_at__isnull=True
        ).update(left_at=now)
        mission.status = "drawn_up"
        mission.save(update_fields=["status"])
    # Former team members keep reading a project; a place on a team that came from a mission the
    # nonprofit never accepted (added by no lead) was never consented to, so it is removed whole.
    for mission in Mission.objects.filter(beneficiary_accepted_at__isnull=True):
        TeamMember.objects.filter(
            project_id=mission.project_id, user_id=mission.consultant_id, added_by__isnull=True
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("bench", "0002_tax_years"),
        ("projects", "0001_diagnoses_projects_events_images"),
        ("work", "0001_tasks_claims_handovers_knowledge"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="mission",
            name="mission_starts_with_agreement_and_consent",
        ),
        migrations.AddField(
            model_name="mission",
            name="agreement_drawn_up_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="agreement drawn up by",
            ),
        ),
        migrations.AddField(
            model_name="mission",
            name="beneficiary_accepted_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="accepted by the beneficiary"
            ),
        ),
        migrations.AddField(
            model_name="mission",
            name="beneficiary_accepted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="accepted for the beneficiary by",
            ),
        ),
        migrations.AddField(
            model_name="mission",
            name="beneficiary_refused_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="refused by the beneficiary"
            ),
        ),
        migrations.AddField(
            model_name="mission",
            name="beneficiary_refused_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="refused for the beneficiary by",
            ),
        ),
        migrations.AddField(
            model_name="mission",
            name="refusal_reason",
            field=models.TextField(
                blank=True, max_length=1000, verbose_name="reason for the refusal"
            ),
        ),
        migrations.AlterField(
            model_name="mission",
            name="status",
            field=models.CharField(
                choices=[
                    ("awaiting", "Awaiting the loan agreement"),
                    ("drawn_up", "Awaiting the beneficiary's acceptance"),
                    ("accepted", "Awaiting the consultant's agreement"),
                    ("active", "Active"),
                    ("refused", "Refused by the beneficiary"),
                    ("ended", "Ended"),
                ],
                default="awaiting",
                max_length=20,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(await_the_beneficiary, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="mission",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "active"), _negated=True),
                    models.Q(
                        ("agreement_generated_at__isnull", False),
                        ("beneficiary_accepted_at__isnull", False),
                        ("consultant_agreed_at__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="mission_starts_with_three_acceptances",
            ),
        ),
        migrations.AddConstraint(
            model_name="mission",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "refused"), _negated=True),
                    ("beneficiary_refused_at__isnull", False),
                    _connector="OR",
                ),
                name="mission_refusal_is_dated",
            ),
        ),
    ]
