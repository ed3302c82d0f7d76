"""Long work (the year-end archive) in a background thread, with progress to poll."""

import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class BackgroundJob:
    title: str
    total: int
    done: int = 0
    error: str = ""
    result: Path | None = None
    id: str = field(default_factory=lambda: secrets.token_urlsafe(8))

    @property
    def percent(self) -> int:
        return 100 if self.result else int(self.done * 100 / max(self.total, 1))


def start_archive_job(jobs: dict, engine, year_id: int, at, classes: int) -> BackgroundJob:
    from printing.archive import build_archive

    job = BackgroundJob("Lập lưu trữ cuối năm", classes)
    jobs[job.id] = job

    def run() -> None:
        try:
            folder = Path(tempfile.mkdtemp(prefix="sodiem-archive-"))
            built = build_archive(engine, year_id, folder, at,
                                  progress=lambda: setattr(job, "done", job.done + 1))
            job.result = Path(shutil.make_archive(str(built.folder), "zip", built.folder))
        except Exception as error:  # shown to the user; the job must not die silently
            job.error = f"Không lập được lưu trữ: {error}"

    threading.Thread(target=run, daemon=True).start()
    return job
