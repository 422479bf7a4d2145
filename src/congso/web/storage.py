"""Static files storage: hashed, compressed names once ``collectstatic`` has run."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's manifest storage that falls back to plain names before collectstatic.

    Without a manifest (the test suite, a fresh checkout run with debug off) the stock storage
    raises on every ``{% static %}`` and turns each page into a server error; here the page
    renders with unhashed URLs instead, which the test server and staticfiles finders serve.
    Once the manifest exists, a name missing from it is still an error, as in the stock storage.
    """

    def stored_name(self, name: str) -> str:
        if not self.hashed_files:
            return name
        return str(super().stored_name(name))
