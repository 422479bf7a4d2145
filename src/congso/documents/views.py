"""The citizen's pages of the document store: /tai-khoan/giay-to/ (list and upload), download,
delete with confirmation. Thin: parse, call one service or selector, render. Every page works
without JavaScript.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from congso.core.errors import DomainError, NotFound
from congso.identity.auth import login_required_mfa

from . import selectors, services
from .forms import DocumentUploadForm
from .models import StoredDocument
from .responses import document_file_response
from .uploads import UploadSizeLimitHandler


def _document_or_404(request: HttpRequest, public_id: UUID, *, action: str) -> StoredDocument:
    try:
        return selectors.document_get_for(user=request.user, public_id=public_id)
    except NotFound as error:
        services.document_access_denied_record(user=request.user, public_id=public_id, action=action)
        raise Http404(error.message) from error


# CSRF is checked by _document_list, once the size-limit handler is in place: the CSRF
# middleware would read the whole upload before any view could limit it.
@csrf_exempt
@never_cache
@login_required_mfa
@require_http_methods(["GET", "POST"])
def document_list(request: HttpRequest) -> HttpResponse:
    """My documents: the list, and the upload form (POST)."""
    limit = UploadSizeLimitHandler(request, max_bytes=settings.CONGSO_UPLOAD_MAX_BYTES)
    if request.method == "POST":
        request.upload_handlers.insert(0, limit)
    return _document_list(request, limit)


@csrf_protect
def _document_list(request: HttpRequest, limit: UploadSizeLimitHandler) -> HttpResponse:
    form = DocumentUploadForm(request.POST or None, request.FILES or None, max_bytes=limit.max_bytes)
    if request.method == "POST":
        refused = limit.refusal("file")
        if refused is not None:
            form.file_refused(refused.message)
        elif form.is_valid():
            try:
                document = services.document_upload(
                    owner=request.user,
                    uploaded_file=form.cleaned_data["file"],
                    title=form.cleaned_data["title"],
                    max_bytes=limit.max_bytes,
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(
                    request, _("“%(title)s” is now in your documents.") % {"title": document.title}
                )
                return redirect("documents:list")
    context: dict[str, Any] = {
        "documents": selectors.document_list_for(user=request.user),
        "form": form,
    }
    return render(request, "documents/document_list.html", context)


@never_cache
@login_required_mfa
@require_GET
def document_download(request: HttpRequest, public_id: UUID) -> FileResponse:
    """The file as an attachment, with the type its content has (not the one it was sent with)."""
    document = _document_or_404(request, public_id, action="download")
    return document_file_response(document)


@never_cache
@login_required_mfa
@require_http_methods(["GET", "POST"])
def document_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """GET asks for confirmation; POST removes the document from the store."""
    document = _document_or_404(request, public_id, action="delete")
    if request.method == "POST":
        try:
            services.document_delete(owner=request.user, document=document)
        except NotFound as error:
            raise Http404(error.message) from error
        messages.success(
            request, _("“%(title)s” has been removed from your documents.") % {"title": document.title}
        )
        return redirect("documents:list")
    return render(request, "documents/document_delete.html", {"document": document})
