"""What every result type shares: `to_dict()`, its plain JSON-safe data, and a pydantic
schema so a web framework (FastAPI's return annotation or ``response_model``) can answer a
result as is."""

from __future__ import annotations

from typing import Any

from .._converter import unstructure


class Serializable:
    """A result that turns into plain data: ``json.dumps(result.to_dict())`` always works."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Every public field, unknown server fields (`extra`) merged in, as JSON-safe data:
        URLs and ids as strings, datetimes as ISO 8601 strings, enums as the server's
        spelling, bytes (mask PNGs) as base64 text."""
        data: dict[str, Any] = unstructure(self)
        return data

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """For pydantic (FastAPI): a result is taken as it is and serialised as `to_dict()`.
        Imported only when pydantic asks, so bria_async does not need it."""
        from pydantic_core import core_schema

        return core_schema.is_instance_schema(
            cls,
            serialization=core_schema.plain_serializer_function_ser_schema(
                cls.to_dict,
                return_schema=core_schema.dict_schema(core_schema.str_schema()),
            ),
        )
