"""A bar chart as a PNG (Pillow, DejaVu Sans) for chat digests."""

from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

from printing.fonts import FACES, SEARCH, FontMissing

ROW, LABEL, WIDTH = 26, 260, 760


def _font(size: int) -> ImageFont.FreeTypeFont:
    for folder in SEARCH:
        path = folder / FACES["regular"]
        if path.exists():
            return ImageFont.truetype(str(path), size)
    raise FontMissing("Không tìm thấy phông DejaVu Sans để vẽ biểu đồ; cài fonts-dejavu-core.")


def progress_png(title: str, rows: list[tuple[str, int]]) -> bytes:
    """Horizontal bars of percentages, worst first, green/amber/red like the web dashboard."""
    font, bold = _font(14), _font(17)
    height = 50 + ROW * len(rows) + 10
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((10, 12), title, fill="#1f4e79", font=bold)
    for index, (label, percent) in enumerate(rows):
        y = 50 + index * ROW
        draw.text((10, y + 3), label[:32], fill="#222", font=font)
        length = (WIDTH - LABEL - 70) * max(0, min(percent, 100)) / 100
        colour = "#2e7d32" if percent >= 90 else "#f9a825" if percent >= 50 else "#c62828"
        draw.rectangle((LABEL, y + 4, LABEL + length, y + ROW - 4), fill=colour)
        draw.text((LABEL + length + 6, y + 3), f"{percent}%", fill="#222", font=font)
    buffer = BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
