"""Organisation accounts get the enterprise code and their representative's account.

They used to point into the business registry's table; identity now keeps only what the
registry answered through the exchange. The next two migrations copy the codes, then drop the
link (three steps: PostgreSQL does not alter a table with row changes pending in its
transaction).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0003_officerrole_leader"),
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="user", name="identity_user_kind_matches_binding"),
        migrations.AddField(
            model_name="user",
            name="organisation_code",
            field=models.CharField(
                blank=True, max_length=14, null=True, unique=True, verbose_name="mã số doanh nghiệp"
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="representation_checked_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="lần cuối hỏi quyền đại diện doanh nghiệp"
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="representative",
            field=models.ForeignKey(
                blank=True,
                limit_choices_to={"kind": "person"},
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="represented_organisations",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người đại diện theo pháp luật",
            ),
        ),
    ]
