"""The admin side: the command line now, the web panel (FastAPI) beside it."""
