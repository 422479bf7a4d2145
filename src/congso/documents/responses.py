"""The one way a stored document leaves the platform as a download."""

from __future__ import annotations

from django.http import FileResponse, Http404

from congso.core.errors import NotFound

from . import selectors
from .models import StoredDocument


def document_file_response(document: StoredDocument) -> FileResponse:
    """``document`` as an attachment, with the type its content has (not the one it was sent with).

    No permission check here: the owner's pages, and other domains' pages (an officer through a
    dossier), check who asks before calling this.
    """
    try:
        opened = selectors.document_open(document=document)
    except NotFound as error:
        raise Http404(error.message) from error
    response = FileResponse(
        opened, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Were a browser to show it anyway (a PDF, an image, XML), no script in it may run on this site.
    response["Content-Security-Policy"] = "sandbox"
    return response
