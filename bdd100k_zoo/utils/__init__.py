"""Safe checkpoint loading and writes that never leave a half-written file."""
