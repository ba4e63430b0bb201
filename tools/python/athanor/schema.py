"""Configuration fields for experiments written in Python: the same kinds and options as the
Swift `ConfigSchema` (integer, float, string, boolean, list, group), declared as data and
validated by Athanor's Swift validator, with the same field paths in its errors."""

__all__ = ["Field"]


def _field(kind, name, *, default=None, required=False, label=None, description=None, **options):
    if not isinstance(name, str) or not name:
        raise ValueError(f"a field needs a name, not {name!r}")
    field = {
        "name": name,
        "type": kind,
        "label": label,
        "description": description,
        "default": default,
        "required": bool(required),
    }
    field.update(options)
    return field


class Field:
    """Constructors of configuration fields, one per kind:

    ```python
    config=[
        Field.string("model", default="small", options=["small", "large"]),
        Field.float("temperature", default=0.7, min=0, max=2, step=0.1),
        Field.integer("samples", default=20, min=1, max=10_000),
        Field.boolean("verbose", default=False),
        Field.list("prompts", required=True, fields=[Field.string("text", required=True)]),
        Field.group("limits", fields=[Field.integer("max_tokens", default=256, min=1)]),
    ]
    ```

    Every constructor also takes `required`, `label` and `description`.
    """

    @staticmethod
    def integer(name, *, default=None, min=None, max=None, step=None, **common):
        """A whole number within optional bounds (values `min + k × step` when both are set)."""
        return _field("integer", name, default=default, min=min, max=max, step=step, **common)

    @staticmethod
    def float(name, *, default=None, min=None, max=None, step=None, **common):
        """A number within optional bounds; `step` is the increment the web form offers."""
        return _field("float", name, default=default, min=min, max=max, step=step, **common)

    @staticmethod
    def string(name, *, default=None, options=None, **common):
        """Text; with `options`, a choice among them."""
        return _field("string", name, default=default, options=None if options is None else list(options), **common)

    @staticmethod
    def boolean(name, *, default=None, **common):
        """True or false."""
        return _field("boolean", name, default=default, **common)

    @staticmethod
    def list(name, *, fields, default=None, **common):
        """Any number of items, each an object of `fields`."""
        return _field("list", name, default=default, fields=[*fields], **common)

    @staticmethod
    def group(name, *, fields, **common):
        """An object of `fields`, kept together."""
        return _field("group", name, fields=[*fields], **common)
