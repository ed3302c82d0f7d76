"""GET /d/<token>: a document by single-use link, for chats that cannot carry files."""

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Engine
from sqlmodel import Session

from core.clock import Clock
from printing.minutes import minutes_pdf
from printing.traced import class_book_document
from services import document_links
from services.correction_records import applied_facts
from services.errors import DomainError


def add_document_route(app: FastAPI, engine: Engine, clock: Clock) -> None:
    @app.get("/d/{token}")
    def download(token: str) -> Response:
        with Session(engine, expire_on_commit=False) as session:
            try:
                link = document_links.redeem(session, clock, token)
                content, name = _render(session, clock, link.kind, link.ref)
            except DomainError as error:
                return HTMLResponse(f"<!doctype html><meta charset='utf-8'><p>{_esc(error)}"
                                    "</p>", status_code=410)
        return Response(content, media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store"})


def _render(session: Session, clock: Clock, kind: str, ref: int) -> tuple[bytes, str]:
    if kind == "minutes":
        return minutes_pdf(applied_facts(session, ref)), f"bien-ban-{ref}.pdf"
    if kind == "class_book":
        _, pdf = class_book_document(session, clock, ref, "sổ theo dõi (đường dẫn)",
                                     document_signer())
        return pdf, "so-theo-doi.pdf"
    raise DomainError("Không có loại tài liệu này.")


def document_signer():
    from core.config import get_settings
    from printing import signing

    settings = get_settings()
    try:
        return signing.configured(settings)
    except signing.SigningError:  # misconfigured: the book is printed unsigned, not refused
        return None


def _esc(error: DomainError) -> str:
    from html import escape
    return escape(error.message)
