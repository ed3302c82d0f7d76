"""The full verification of the record, and what it last found.

Three checks, each catching what the others cannot: the chain (every hash and seal),
the signed checkpoints (a cut or rewritten tail), and the replay (score and absence
rows changed outside the services). A run is stored, so the status page shows the
last result and its time instead of scanning the whole log on every visit.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, select

from core.clock import VN_TZ, Clock
from models import AuditVerification
from services import audit, audit_checkpoints, audit_replay

MAX_STORED_PROBLEMS = 200


@dataclass(frozen=True)
class Report:
    chain: audit.ChainsCheck
    checkpoint_problems: list[audit_checkpoints.CheckpointProblem] = field(default_factory=list)
    mismatches: list[audit_replay.Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.checkpoint_problems and not self.mismatches

    def lines(self) -> list[str]:
        lines = self.chain.messages()
        lines += [f"Điểm kiểm: {p.text}" for p in self.checkpoint_problems]
        lines += [f"Dữ liệu sửa ngoài phần mềm: {m.text()}" for m in self.mismatches]
        return lines

    def summary(self) -> str:
        if self.ok:
            return (f"Nhật ký toàn vẹn: {self.chain.checked} bản ghi, chuỗi mã băm và dấu "
                    "niêm phong đúng, khớp mọi điểm kiểm, dựng lại đúng từng ô điểm và "
                    "lượt vắng.")
        return (f"PHÁT HIỆN THAY ĐỔI TRÁI PHÉP: {len(self.lines())} vấn đề. Báo ngay cho "
                "Hiệu trưởng và quản trị; đối chiếu với bản lưu trữ và các bản in.")


def check(session: Session, school_id: int | None = None) -> Report:
    """The whole deployment, or one school: its chain, checkpoints and students' rows."""
    session.expire_all()  # read what the database holds now, not what this session cached
    return Report(audit.verify(session, school_id),
                  audit_checkpoints.problems(session, school_id),
                  audit_replay.replay(session, school_id))


def run(session: Session, clock: Clock, trigger: str) -> Report:
    """Check everything and store the outcome (committed)."""
    report = check(session)
    session.add(AuditVerification(at=clock.now(), ok=report.ok, checked=report.chain.checked,
                                  summary=report.summary(),
                                  problems="\n".join(report.lines()[:MAX_STORED_PROBLEMS]),
                                  trigger=trigger[:40]))
    session.commit()
    return report


def latest(session: Session) -> AuditVerification | None:
    return session.exec(select(AuditVerification).order_by(AuditVerification.id.desc())
                        .limit(1)).first()


def latest_text(session: Session) -> str:
    last = latest(session)
    if last is None:
        return ("Chưa kiểm tra lần nào (lịch chạy mỗi đêm; quản trị có thể bấm kiểm tra "
                "ở trang Nhật ký).")
    when = last.at.astimezone(VN_TZ)
    return f"{last.summary} (kiểm lúc {when:%H:%M %d/%m/%Y})"
