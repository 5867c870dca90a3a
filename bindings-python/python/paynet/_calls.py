"""Hand-written helpers of the generated resource classes (`_resources.py`).

Each generated method collects its keyword arguments with `_params(locals())`
after running these per-type rules: a parameter whose type is a parameter
struct (a `Card`) goes through `_as_struct` first, and a method the spec gives
a `target` takes an error or a string first (`_targeted`), or a posted
form (`_from_form`).
"""

from __future__ import annotations

import dataclasses
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, NamedTuple, TypedDict, TypeVar, Union

from ._errors import InvalidTypeError, PaynetError

Amount = Decimal | int | str
"""Money in TL. `float` is refused: it cannot hold most amounts exactly."""

#: `(method, params) -> result`; `params` may hold `timeout` and `max_retries`.
SyncCall = Callable[[str, dict[str, Any]], Any]
AsyncCall = Callable[[str, dict[str, Any]], Awaitable[Any]]

_NOT_PARAMS = ("self",)


class RequestEvent(TypedDict):
    """One HTTP attempt, as `Client(on_request=...)` receives it: never
    headers or bodies, so nothing secret reaches a log through it."""

    method: str
    path: str
    #: The SDK method: `payments.create`.
    operation: str
    reference_no: str | None
    #: `None` when no response arrived (connection error, timeout).
    status: int | None
    #: Seconds.
    duration: float
    #: 1 for the first try.
    attempt: int
    #: `"ok"`, the error kind of this attempt, or `"cancelled"`.
    outcome: str
    will_retry: bool


class Progress(NamedTuple):
    """One finished part of a method made of several calls
    (`reports.payment_list_range`: one due date)."""

    #: Parts finished so far, this one included (they finish in any order).
    done: int
    total: int
    #: The part: the due date, `yyyy-MM-dd`.
    part: str


ProgressArg = Union[bool, Callable[[Progress], object], None]
"""`progress=`: `True` for a tqdm bar (when tqdm is installed), or a callable."""

NativeProgress = Callable[[int, int, str], None]


@contextlib.contextmanager
def _progress(progress: object) -> Iterator[NativeProgress | None]:
    """`progress=` as the native callback (`(done, total, part)`), for the
    length of one call: a tqdm bar is closed when the call ends."""
    if progress is None or progress is False:
        yield None
    elif progress is True:
        try:
            from tqdm.auto import tqdm  # type: ignore[import-untyped, import-not-found, unused-ignore]
        except ImportError:
            yield None
            return
        bar: Any = None

        def advance(done: int, total: int, part: str) -> None:
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, unit="day", desc="paynet")
            bar.set_postfix_str(part, refresh=False)
            bar.update(done - bar.n)

        try:
            yield advance
        finally:
            if bar is not None:
                bar.close()
    elif callable(progress):
        user = progress
        yield lambda done, total, part: user(Progress(done, total, part))
    else:
        raise InvalidTypeError(f"progress: must be True, False, None or a callable, not {type(progress).__name__}", field="progress")


def _params(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """A method's `locals()` → core parameters: unset (None) ones dropped.

    A card stays a `Card` (the native side reads its attributes): a plain dict
    of card data would show the number and CVC in any traceback formatted with
    its frames' locals (Sentry, rich, `pytest --showlocals`)."""
    return {name: value for name, value in arguments.items() if name not in _NOT_PARAMS and value is not None}


class _Secret(str):
    """A secret parameter (an agent's password, a key) while it is in one of
    the SDK's frames: the same text, with a repr that shows none of it, so a
    traceback formatted with its frames' locals cannot carry it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'***'"


_FIELDS: dict[type[Any], frozenset[str]] = {}


def _field_names(cls: type[Any]) -> frozenset[str]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = frozenset(f.name for f in dataclasses.fields(cls))
    return names


class _StructMapping(dict[str, Any]):
    """A user's mapping that is not a whole parameter struct (a key missing or
    unknown), on its way to core, which names the key at fault. Its repr
    names the known keys only, never a value (it may be card data)."""

    __slots__ = ("_known", "_field")

    def __init__(self, value: Mapping[str, Any], known: frozenset[str], field: str) -> None:
        super().__init__(value)
        self._known = known
        self._field = field

    def __repr__(self) -> str:
        known = [key for key in self if key in self._known]
        others = len(self) - len(known)
        more = f"; {others} other key{'s' if others > 1 else ''}" if others else ""
        return f"<{self._field} data: {', '.join(known) or f'no {self._field} fields'}{more}>"


_S = TypeVar("_S")


def _as_struct(value: object, cls: type[_S], field: str) -> Any:
    """A parameter of a struct type (a `card`) as its class (typed `Any` so that the
    generated method can rebind its parameter to it), so that no frame of
    ours keeps the user's mapping (whose repr shows the number and CVC)."""
    if value is None or isinstance(value, cls):
        return value
    if isinstance(value, Mapping):
        known = _field_names(cls)
        if value.keys() == known:
            return cls(**value)
        return _StructMapping(value, known, field)
    problem = f"{field}: must be a paynet.{cls.__name__} or a mapping, not {type(value).__name__}"
    del value  # not in this frame's locals when the error is shown
    raise InvalidTypeError(problem, field=field)


def _targeted(target: object, names: tuple[str, ...], text: str, given: tuple[str | None, ...]) -> tuple[str | None, ...]:
    """`given` (the values of `names`) with what `target` says filled in:
    an error's attributes of those names, or a string standing for `text`."""
    if isinstance(target, PaynetError):
        found = tuple(getattr(target, name) for name in names)
        if all(value is None for value in found):
            raise InvalidTypeError(f"target: this error names no {' or '.join(names)} to look up", field="target")
        return tuple(mine or theirs for mine, theirs in zip(given, found))
    if isinstance(target, str):
        return tuple((mine or target) if name == text else mine for name, mine in zip(names, given))
    raise InvalidTypeError(f"target: must be a PaynetError or a {text}, not {type(target).__name__}", field="target")


def _from_form(form: object, wires: tuple[str, ...], given: tuple[str | None, ...]) -> tuple[str | None, ...]:
    """`given` with what a posted form says filled in, each read under its
    wire name: any mapping (Django's `QueryDict`, Werkzeug's `MultiDict`,
    Starlette's `FormData`, a dict), whose `get` gives one value."""
    if not isinstance(form, Mapping):
        raise InvalidTypeError(f"target: must be the posted form (a mapping), not {type(form).__name__}", field="target")
    found = []
    for wire, mine in zip(wires, given):
        value = mine if mine is not None else form.get(wire)
        if value is not None and not isinstance(value, str):
            raise InvalidTypeError(f"{wire}: the form's value must be text, not {type(value).__name__}", field=wire)
        found.append(value)
    return tuple(found)


def _page_failed(error: PaynetError, starting_after: object) -> None:
    """Says which page failed, in the traceback: the loop can resume there."""
    where = "the first page" if starting_after is None else f"the page starting after {starting_after}"
    if hasattr(error, "add_note"):  # Python 3.11+
        error.add_note(f"while fetching {where} (starting_after={starting_after!r})")


def _same_page_again(previous: Any, page_items: Any, starting_after: object) -> None:
    """A server that ignores `starting_after` would have the loop yield one
    page forever: the same items twice running end it."""
    if page_items and page_items == previous:
        from ._errors_gen import ProtocolError

        raise ProtocolError(f"Paynet sent the same page again for starting_after={starting_after!r}: the walk is stopped")


def _pages(fetch: Callable[..., Any], params: dict[str, Any], items: str) -> Iterator[Any]:
    """Every item of every page, each page fetched when the loop reaches it:
    core says where the next one starts (`next_starting_after`), or that there
    is none."""
    previous: Any = None
    while True:
        try:
            page = fetch(**params)
        except PaynetError as e:
            _page_failed(e, params.get("starting_after"))
            raise
        page_items = getattr(page, items)
        _same_page_again(previous, page_items, params.get("starting_after"))
        previous = page_items
        yield from page_items
        if page.next_starting_after is None:
            return
        params["starting_after"] = page.next_starting_after


async def _apages(fetch: Callable[..., Awaitable[Any]], params: dict[str, Any], items: str) -> AsyncIterator[Any]:
    """`_pages` for `AsyncClient`: `async for` over every item."""
    previous: Any = None
    while True:
        try:
            page = await fetch(**params)
        except PaynetError as e:
            _page_failed(e, params.get("starting_after"))
            raise
        page_items = getattr(page, items)
        _same_page_again(previous, page_items, params.get("starting_after"))
        previous = page_items
        for item in page_items:
            yield item
        if page.next_starting_after is None:
            return
        params["starting_after"] = page.next_starting_after
