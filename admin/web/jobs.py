"""The year-end archive, built in a background thread of the replica that was asked;
its progress is kept in the database (`services.archive_jobs`) so that whichever replica
the next request reaches shows it.

The file is written under `SODIEM_DATA_DIR/archives/<job>/`: with several machines, that
folder must be shared storage (or `/admin/jobs/` sticky) for any replica to serve the
download; a replica that does not have the file says so.
"""

import logging
import shutil
import threading
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from core.clock import Clock, SystemClock
from models import ArchiveJob
from services import archive_jobs
from services.errors import DomainError

log = logging.getLogger(__name__)
TITLE = "Lập lưu trữ cuối năm"


def archives_root(data_dir: Path) -> Path:
    return Path(data_dir) / "archives"


def start_archive_job(engine: Engine, data_dir: Path, year_id: int, at, classes: int,
                      school_id: int, draft: bool = False) -> ArchiveJob:
    """Start building the school's archive, or return the build already running."""
    clock = SystemClock()  # heartbeats are real time, whatever the panel's clock says
    _clean_up(engine, clock, data_dir)
    with Session(engine, expire_on_commit=False) as session:
        job, new = archive_jobs.start(session, clock, school_id, TITLE, classes)
    if new:
        folder = archives_root(data_dir) / job.id
        threading.Thread(target=_build, args=(engine, clock, job.id, folder, year_id, at,
                                              draft), daemon=True).start()
    return job


def _build(engine: Engine, clock: Clock, job_id: str, folder: Path, year_id: int, at,
           draft: bool) -> None:
    from core.config import get_settings
    from printing import signing
    from printing.archive import ArchiveNotReady, build_archive

    def advance() -> None:
        with Session(engine) as session:
            archive_jobs.advance(session, clock, job_id)

    result, error = "", ""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        built = build_archive(engine, year_id, folder, at, progress=advance,
                              signer_key=signing.configured_key(get_settings()), draft=draft)
        result = shutil.make_archive(str(built.folder), "zip", built.folder)
    except (ArchiveNotReady, signing.SigningError) as refusal:
        error = f"Không lập được lưu trữ: {refusal.args[0]}"
    except DomainError as refusal:
        error = f"Không lập được lưu trữ: {refusal.message}"
    except Exception:  # logged in full; the user gets words, not a traceback
        log.exception("archive job %s failed", job_id)
        error = ("Không lập được lưu trữ do lỗi hệ thống (mã công việc "
                 f"{job_id}). Báo quản trị kèm mã này.")
    with Session(engine) as session:
        archive_jobs.finish(session, clock, job_id, result, error)


def _clean_up(engine: Engine, clock: Clock, data_dir: Path) -> None:
    with Session(engine) as session:
        for job_id in archive_jobs.forget_old(session, clock):
            shutil.rmtree(archives_root(data_dir) / job_id, ignore_errors=True)
