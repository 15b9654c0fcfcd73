"""Operator commands: `flask --app wsgi <command>`."""

from __future__ import annotations

import click
from flask import Flask


def register_cli(app: Flask) -> None:
    @app.cli.command("create-superuser")
    @click.argument("email")
    @click.password_option()
    def create_superuser(email: str, password: str):
        """Create (or promote) the platform operator, who may open /admin/rq."""
        from .services import accounts

        user = accounts.make_superuser(email, password)
        click.echo(f"{user.email} is a superuser.")

    @app.cli.command("demo")
    def demo():
        """Create the demo login and post sample calls through the webhook."""
        from .demo import DEMO_EMAIL, DEMO_PASSWORD, seed_demo_calls

        created = seed_demo_calls()
        click.echo(f"Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD} ({created} new sample calls queued)")

    @app.cli.command("reindex")
    @click.option(
        "--all", "everything", is_flag=True, help="re-embed every processed call, not only stale ones"
    )
    @click.option("--tenant", "tenant_slug", help="limit to one workspace (its slug)")
    @click.option("--batch-size", default=100, show_default=True)
    def reindex_cmd(everything: bool, tenant_slug: str | None, batch_size: int):
        """Embed and index processed calls in batches (after changing the embedding model or store)."""
        from .pipeline.reindex import reindex
        from .services.workspace import tenant_id_by_slug

        tenant_id = None
        if tenant_slug:
            tenant_id = tenant_id_by_slug(tenant_slug)
            if tenant_id is None:
                raise click.ClickException(f"no workspace with slug {tenant_slug!r}")
        click.echo(f"reindexed {reindex(everything, tenant_id, batch_size)} call(s)")

    @app.cli.command("sweep")
    def sweep_cmd():
        """Enqueue calls stored while Redis was down or abandoned by a dead worker."""
        from redis.exceptions import RedisError

        from .services.jobs import sweep

        try:
            count = sweep()
        except RedisError as exc:
            raise click.ClickException(
                f"Redis unreachable ({exc}); nothing is lost, try again later"
            ) from None
        click.echo(f"enqueued {count} call(s)")

    @app.cli.command("purge-deliveries")
    def purge_deliveries_cmd():
        """Delete rejected webhook deliveries older than WEBHOOK_EVENTS_RETENTION_DAYS."""
        from .webhooks.retention import purge_deliveries

        days = app.config["WEBHOOK_EVENTS_RETENTION_DAYS"]
        click.echo(f"deleted {purge_deliveries()} rejected deliveries older than {days} days")

    @app.cli.command("seed-calls")
    @click.option("--count", type=int, required=True, help="how many calls to add (1 to 1,000,000)")
    @click.option("--email", required=True, help="a user of the workspace to fill")
    @click.option("--seed", type=int, default=None, help="random seed, for the same calls again")
    def seed_calls_cmd(count: int, email: str, seed: int | None):
        """Fill a workspace with realistic processed calls, callbacks and vectors (for demos and bench/)."""
        from .seeding import SeedError, check_count, describe, seed_calls

        try:
            check_count(count)
            click.echo(f"seeding {count:,} calls for {email}...")
            made = seed_calls(email, count, seed=seed, echo=click.echo)
        except SeedError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(describe(made))
