"""The Zalo transport (Zalo Bot Platform): an HTTP client, the adapter that feeds the
conversation handlers, a webhook route and long polling for development."""
