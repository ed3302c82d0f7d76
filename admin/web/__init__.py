"""The admin panel: server-rendered pages in Vietnamese, our sign-in in front of them."""
