"""A level-2 check records whether it was made on request of the person's legal guardian."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("identity", "0007_totp_secret_encrypted")]

    operations = [
        migrations.AddField(
            model_name="assuranceverification",
            name="guardian_request",
            field=models.BooleanField(default=False, verbose_name="theo đề nghị của người đại diện hợp pháp"),
        ),
    ]
