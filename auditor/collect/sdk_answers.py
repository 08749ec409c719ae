"""What an SDK operation answered, as the wire data ARM sent (the transforms read wire data)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from auditor.collect.errors import MalformedResponse
from auditor.collect.web import Wire, arm_object


def all_pages(pager: Any) -> list[Wire]:
    """Every item of a paged list, as wire data.

    azure-core follows ``nextLink`` for as long as there is one; a link that leads back to a
    page already read would never end, so it fails the read instead (a gap, like bad JSON).
    """
    pages = pager.by_page()
    seen: set[str] = set()
    items: list[Wire] = []
    try:
        for page in pages:
            items.extend(arm_object(as_wire(item)) for item in page)
            link = pages.continuation_token
            if link:
                if link in seen:
                    raise ValueError(f"nextLink loops back to a page already read: {urlsplit(link).path}")
                seen.add(link)
    except (AttributeError, TypeError, KeyError) as error:
        # The SDK reads ``body["value"]`` and ``body.get("nextLink")``: a body that is not an
        # ARM list (a JSON array, a string) fails in there.
        raise MalformedResponse(f"the body is not an ARM list ({type(error).__name__}: {error})") from error
    return items


def as_wire(value: Any) -> Any:
    """SDK hybrid models → the JSON ARM sent (``as_dict`` keeps wire names and unknown keys)."""
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if isinstance(value, list):
        return [as_wire(item) for item in value]
    return value
