"""What a transport hands to the conversation handlers, and what it gets back."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # opaque and short: callback_data is at most 64 bytes


@dataclass(frozen=True)
class Incoming:
    """A text message or a button press from one chat account."""

    channel: str
    user_id: str
    chat_id: str
    text: str = ""
    button_data: str | None = None
    update_key: str = ""  # the transport's id of this update, for once-only processing


@dataclass
class Reply:
    text: str
    buttons: list[Button] = field(default_factory=list)
    preformatted: bool = False  # show in monospace (tables)
    replace_original: bool = False  # edit the message whose button was pressed
    commands: list[tuple[str, str]] | None = None  # the menu to set for this chat
    chat_id: str | None = None  # send to another chat on the same channel (a notification)
    keyboard: list[list[Button]] | None = None  # several rows of buttons, instead of `buttons`

    def button_rows(self) -> list[list[Button]]:
        if self.keyboard:
            return self.keyboard
        return [self.buttons] if self.buttons else []
