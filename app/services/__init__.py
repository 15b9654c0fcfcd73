"""Domain operations shared by pages, CLI and worker: a view parses, calls one of these, renders.

accounts (signup, sign-in, team), calls (delete, counts), search (by meaning, similar calls),
vectors (the tenant's vector space), jobs (queue, sweeper, retry).
"""
