"""Runtime code of infersave's Lambda functions (also runnable from a laptop)."""
