"""The worker's job (process.py) and its steps (steps.py)."""
