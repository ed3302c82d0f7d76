"""Words the circulars share: subject kinds and comment marks."""

from enum import StrEnum


class SubjectKind(StrEnum):
    SCORED = "scored"  # đánh giá bằng nhận xét kết hợp điểm số
    COMMENT = "comment"  # đánh giá bằng nhận xét (Đ/CĐ)


class CommentMark(StrEnum):
    PASS = "Đ"
    FAIL = "CĐ"
