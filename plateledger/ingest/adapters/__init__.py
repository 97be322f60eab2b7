"""One module per source format; each registers itself with `@register_adapter("key")`."""
