"""Cross-cutting pieces every layer may use: settings, time, text folding."""
