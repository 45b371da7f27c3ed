"""Crash trials: bot processes killed mid-fan-out, posting through the real adapters."""
