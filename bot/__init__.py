"""The Telegram transport."""

import os

# Opt in to PTB's coming behaviour: RetryAfter.retry_after as a timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")
