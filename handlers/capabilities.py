"""What a transport can show, and shaping replies to fit it.

Zalo's bot API, for one, has no buttons, no editing and a 2,000-character
limit: buttons become numbered choices the user answers with a digit, edits
become new messages, long texts are split at line boundaries.
"""

from dataclasses import dataclass, replace

from handlers.events import Reply
from handlers.render import split_text
from handlers.texts import NUMBERED_CHOICES


@dataclass(frozen=True)
class Capabilities:
    buttons: bool
    editing: bool
    documents: bool
    text_limit: int
    monospace: bool = True


TELEGRAM = Capabilities(buttons=True, editing=True, documents=True, text_limit=4096)
ZALO = Capabilities(buttons=False, editing=False, documents=True, text_limit=2000,
                    monospace=False)
WEB = Capabilities(buttons=True, editing=True, documents=True, text_limit=20000)

MARKUP_ALLOWANCE = 32  # room for the <pre></pre> wrapper a transport may add


def fit(replies: list[Reply], caps: Capabilities) -> list[Reply]:
    shaped: list[Reply] = []
    for reply in replies:
        flat = [b for row in reply.button_rows() for b in row]
        if flat and not caps.buttons:
            choices = ", ".join(f"{i}. {b.label}" for i, b in enumerate(flat, 1))
            reply = replace(reply, text=f"{reply.text}\n{NUMBERED_CHOICES.format(choices=choices)}",
                            buttons=[], keyboard=None)
        if reply.replace_original and not caps.editing:
            reply = replace(reply, replace_original=False)
        pieces = split_text(reply.text, caps.text_limit - MARKUP_ALLOWANCE)
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            shaped.append(replace(reply, text=piece, buttons=reply.buttons if last else [],
                                  keyboard=reply.keyboard if last else None,
                                  replace_original=reply.replace_original and index == 0,
                                  commands=reply.commands if last else None))
    return shaped
