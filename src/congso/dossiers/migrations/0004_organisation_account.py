"""A dossier applied for on an organisation's behalf will name the organisation's account.

It used to point into the business registry's table. This adds the new link; the next
migration fills it (making the account where none existed yet) and the one after drops the old
link (three steps: PostgreSQL does not alter a table with row changes pending in its
transaction).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0003_mine_index"),
        ("identity", "0006_organisation_link_removed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="dossier", name="dossiers_organisation"),
        migrations.AddField(
            model_name="dossier",
            name="organisation_account",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="tổ chức nộp",
            ),
        ),
        migrations.AddField(
            model_name="dossierdraft",
            name="organisation_account",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
