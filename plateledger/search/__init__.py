"""Backend-neutral parts of plate search: wildcard patterns and the near-match neighbourhood."""
