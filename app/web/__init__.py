"""What every blueprint shares: access rules as decorators, and small forms. Blueprints import from
here, never from one another."""
