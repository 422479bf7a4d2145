"""Organisation accounts no longer link into the business registry's table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("identity", "0005_organisation_code_data")]

    operations = [
        migrations.RemoveField(model_name="user", name="organisation"),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("kind", "person"),
                        ("organisation_code__isnull", True),
                        ("representative__isnull", True),
                    ),
                    models.Q(
                        ("citizen__isnull", True),
                        ("kind", "organisation"),
                        ("organisation_code__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="identity_user_kind_matches_binding",
            ),
        ),
    ]
