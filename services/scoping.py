"""Which school a record belongs to: every panel route that takes an id from the address
checks it against the user's school (a deployment may hold a whole district)."""

from sqlmodel import Session

from models import (
    Absence,
    CorrectionRequest,
    Invite,
    LockWindow,
    SchoolClass,
    SchoolYear,
    ScoreEntry,
    Staff,
)


def school_of_year(session: Session, year_id: int | None) -> int | None:
    year = session.get(SchoolYear, year_id) if year_id else None
    return year.school_id if year else None


def school_of_class(session: Session, class_id: int | None) -> int | None:
    school_class = session.get(SchoolClass, class_id) if class_id else None
    return school_of_year(session, school_class.year_id) if school_class else None


def class_of_correction(session: Session, request: CorrectionRequest | None) -> int | None:
    """The class of the score cell or absence a correction request is about."""
    if request is None:
        return None
    target = (session.get(ScoreEntry, request.score_entry_id) if request.kind == "score"
              else session.get(Absence, request.absence_id))
    return target.class_id if target else None


def year_of_correction(session: Session, request: CorrectionRequest | None) -> int | None:
    school_class = session.get(SchoolClass, class_of_correction(session, request) or 0)
    return school_class.year_id if school_class else None


def school_of_correction(session: Session, request: CorrectionRequest | None) -> int | None:
    return school_of_year(session, year_of_correction(session, request))


def school_of_invite(session: Session, invite: Invite | None) -> int | None:
    staff = session.get(Staff, invite.staff_id) if invite else None
    return staff.school_id if staff else None


def school_of_lock(session: Session, lock: LockWindow | None) -> int | None:
    return school_of_year(session, lock.year_id) if lock else None
