"""GET /d/<token>: a document by single-use link, for chats that cannot carry files."""

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Engine
from sqlmodel import Session

from core.clock import Clock
from printing.class_book import class_book_pdf
from printing.minutes import minutes_pdf
from services import document_links
from services.book_data import printed_class_book
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
        book = printed_class_book(session, clock, ref, "sổ theo dõi (đường dẫn)")
        return class_book_pdf(book), "so-theo-doi.pdf"
    raise DomainError("Không có loại tài liệu này.")


def _esc(error: DomainError) -> str:
    from html import escape
    return escape(error.message)
