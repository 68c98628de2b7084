"""The subscription tiers offered to circle members (60, 120 and 240 € a year) and the operator's
first rates (10 % of each subscription; 1 % of the TJM per sponsored day). Operator data: staff
change them in the administration. Data only: no app code imported."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

TIERS = [("Solidaire", 60_00), ("Engagé·e", 120_00), ("Moteur", 240_00)]


def add(apps, schema_editor):
    Tier = apps.get_model("funding", "SubscriptionTier")
    for position, (name, cents) in enumerate(TIERS):
        Tier.objects.get_or_create(
            yearly_amount_cents=cents, defaults={"name": name, "position": position}
        )
    apps.get_model("funding", "FundingRates").objects.get_or_create(
        valid_from=dt.date(2020, 1, 1),
        defaults={"operator_share": Decimal(10), "sponsorship_rate": Decimal(1)},
    )


def remove(apps, schema_editor):
    apps.get_model("funding", "SubscriptionTier").objects.filter(
        yearly_amount_cents__in=[c for _n, c in TIERS], memberships__isnull=True
    ).delete()
    apps.get_model("funding", "FundingRates").objects.filter(valid_from=dt.date(2020, 1, 1)).delete()


class Migration(migrations.Migration):
    dependencies = [("funding", "0002_circles_sepa_collections")]

    operations = [migrations.RunPython(add, remove)]
