"""Length limits on text people type, checked in the services with a clear message, so a
name or a reason never reaches a page, a PDF or a column too long for it."""

from services.errors import DomainError

NAME_MAX = 100  # a person's name
REASON_MAX = 1000  # a correction, rejection or unlock reason
SHORT_TEXT_MAX = 200  # an address, a place of birth, a lock's reason

FIELD_LIMITS = {"code": 32, "full_name": NAME_MAX, "father_name": NAME_MAX,
                "mother_name": NAME_MAX, "birthplace": 120, "address": SHORT_TEXT_MAX,
                "ethnicity": 40, "guardian_phone": 20, "phone": 20, "email": 120,
                "priority_group": 80, "father_occupation": 80, "mother_occupation": 80}


def too_long(value: str, limit: int) -> str:
    """The problem with a text over its limit ("" when it fits)."""
    if len(value) <= limit:
        return ""
    return f"dài {len(value)} ký tự, quá giới hạn {limit}. Rút gọn lại."


def require_length(value: str, limit: int, what: str) -> str:
    problem = too_long(value.strip(), limit)
    if problem:
        raise DomainError(f"{what[:1].upper()}{what[1:]} {problem}")
    return value.strip()
