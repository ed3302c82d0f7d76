"""A Vietnamese-capable font, or a clear refusal: never boxes instead of letters."""

from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFont

SEARCH = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
          Path("/usr/local/share/fonts")]
FACES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf",
         "italic": "DejaVuSans-Oblique.ttf"}


class FontMissing(RuntimeError):
    pass


def font_path(face: str) -> Path:
    file_name = FACES[face]
    path = next((folder / file_name for folder in SEARCH if (folder / file_name).exists()),
                None)
    if path is None:
        raise FontMissing(f"Không tìm thấy phông chữ {file_name} (DejaVu Sans) để in tiếng "
                          "Việt. Cài gói fonts-dejavu-core rồi in lại.")
    return path


@lru_cache
def register_fonts() -> dict[str, str]:
    """Register DejaVu Sans with reportlab; the names to use for each face."""
    names = {}
    for face in FACES:
        path = font_path(face)
        name = f"SoDiem-{face}"
        pdfmetrics.registerFont(TTFont(name, str(path)))
        names[face] = name
    # Without a family, <b> and <i> in Paragraph markup fall back to the regular face.
    registerFontFamily(names["regular"], normal=names["regular"], bold=names["bold"],
                       italic=names["italic"], boldItalic=names["bold"])
    return names
