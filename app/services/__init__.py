"""Domain operations shared by pages, CLI and worker: a view parses, calls one of these, renders.

accounts (signup, sign-in, the team), workspace (agents, webhook secret, analysis guidance),
calls (counts, retry, delete), search (by meaning, similar calls), vectors (the tenant's vector
space: ids, format, nearest calls), jobs (queue, sweeper, retry). They take ids or objects, never
the request: the caller decides whose data it is (app/tenancy.py for pages).
"""
