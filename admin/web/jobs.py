"""Long work (the year-end archive) in a background thread, with progress to poll.

One archive at a time per school: a second press while one runs returns the running one.
Finished jobs and their files are removed after a day (at the next start), so temporary
folders do not pile up.
"""

import logging
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from services.errors import DomainError

KEEP_SECONDS = 24 * 3600
log = logging.getLogger(__name__)
_lock = threading.Lock()


@dataclass
class BackgroundJob:
    title: str
    total: int
    school_id: int = 0
    done: int = 0
    error: str = ""
    result: Path | None = None
    folder: Path | None = None
    finished_at: float | None = None
    id: str = field(default_factory=lambda: secrets.token_urlsafe(8))

    @property
    def percent(self) -> int:
        return 100 if self.result else int(self.done * 100 / max(self.total, 1))

    @property
    def running(self) -> bool:
        return self.finished_at is None


def start_archive_job(jobs: dict, engine, year_id: int, at, classes: int,
                      school_id: int = 0, draft: bool = False) -> BackgroundJob:
    from core.config import get_settings
    from printing import signing
    from printing.archive import ArchiveNotReady, build_archive

    with _lock:
        _clean_up(jobs)
        running = next((j for j in jobs.values() if j.school_id == school_id and j.running),
                       None)
        if running is not None:
            return running
        job = BackgroundJob("Lập lưu trữ cuối năm", classes, school_id)
        jobs[job.id] = job

    def run() -> None:
        try:
            job.folder = Path(tempfile.mkdtemp(prefix="sodiem-archive-"))
            built = build_archive(engine, year_id, job.folder, at,
                                  progress=lambda: setattr(job, "done", job.done + 1),
                                  signer_key=signing.configured_key(get_settings()),
                                  draft=draft)
            job.result = Path(shutil.make_archive(str(built.folder), "zip", built.folder))
        except (ArchiveNotReady, signing.SigningError) as error:
            job.error = f"Không lập được lưu trữ: {error.args[0]}"
        except DomainError as error:
            job.error = f"Không lập được lưu trữ: {error.message}"
        except Exception:  # logged in full; the user gets words, not a traceback
            log.exception("archive job %s failed", job.id)
            job.error = ("Không lập được lưu trữ do lỗi hệ thống (mã công việc "
                         f"{job.id}). Báo quản trị kèm mã này.")
        finally:
            job.finished_at = time.monotonic()

    threading.Thread(target=run, daemon=True).start()
    return job


def _clean_up(jobs: dict) -> None:
    now = time.monotonic()
    for job_id, job in list(jobs.items()):
        if job.finished_at is not None and now - job.finished_at > KEEP_SECONDS:
            if job.folder is not None:
                shutil.rmtree(job.folder, ignore_errors=True)
            del jobs[job_id]
