"""One place to import the readers from: score messages (`handlers.score_reading`) and
absence messages (`handlers.absence_reading`); pure text work, no database."""

from handlers.absence_reading import AbsenceDraft, is_absence_message, parse_absences
from handlers.score_reading import ParseError, ScoreDraft, ScoreLine, parse_scores

__all__ = ["AbsenceDraft", "ParseError", "ScoreDraft", "ScoreLine", "is_absence_message",
           "parse_absences", "parse_scores"]
