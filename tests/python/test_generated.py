"""The generated Python surface (`_resources.py`, `_models_gen.py`) against core:
its methods are exactly `_native.METHODS`, and its signatures, models and
error kinds are what spec/paynet.json declares."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import paynet
from paynet import _errors, _errors_gen, _models_gen, _native, _resources

from .conftest import SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]
SPEC: dict[str, Any] = json.loads((ROOT / "spec" / "paynet.json").read_text(encoding="utf-8"))
PER_CALL = [o["python"]["name"] for o in SPEC["client_options"] if o["per_call"] and "python" in o]


def public_methods(cls: type) -> list[str]:
    return [name for name, value in vars(cls).items() if not name.startswith("_") and callable(value)]


def test_the_generated_resources_cover_exactly_the_native_methods() -> None:
    assert list(_resources.METHODS) == list(_native.METHODS)
    for variant in (0, 1):
        found = sorted(f"{resource}.{name}" for resource, classes in _resources.RESOURCES.items() for name in public_methods(classes[variant]))
        iterators = [f"{m['resource']}.{m['pages']['iterator']}" for m in SPEC["methods"] if "pages" in m]
        assert iterators and found == sorted([*_native.METHODS, *iterators])
    for resource, (sync, asynchronous) in _resources.RESOURCES.items():
        client, aclient = paynet.Client(secret_key=SECRET_KEY, base_url="http://127.0.0.1:9"), paynet.AsyncClient(secret_key=SECRET_KEY, base_url="http://127.0.0.1:9")
        assert type(getattr(client, resource)) is sync and type(getattr(aclient, resource)) is asynchronous
        pages = {m["pages"]["iterator"] for m in SPEC["methods"] if m["resource"] == resource and "pages" in m}
        for name in public_methods(sync):
            assert not inspect.iscoroutinefunction(getattr(sync, name)), f"{resource}.{name}"
            # An iterator is no coroutine in either class: `for` and `async for` take it as it is.
            assert inspect.iscoroutinefunction(getattr(asynchronous, name)) != (name in pages), f"{resource}.{name}"
        assert getattr(paynet, sync.__name__) is sync and getattr(paynet, asynchronous.__name__) is asynchronous


@pytest.mark.parametrize("method", SPEC["methods"], ids=[m["name"] for m in SPEC["methods"]])
def test_signatures_are_the_spec_parameters(method: dict[str, Any]) -> None:
    params = next(s for s in SPEC["structs"] if s["name"] == method["params"])
    resource = _resources.RESOURCES[method["resource"]]
    for cls in resource:
        fn = getattr(cls, method["method"])
        signature = inspect.signature(fn)
        keyword = [p for p in signature.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY]
        # A method made of several calls also takes `progress`.
        progress = ["progress"] if method.get("progress") else []
        assert [p.name for p in keyword] == [f["name"] for f in params["fields"]] + PER_CALL + progress
        # A parameter a posted form target fills may be left out of the call.
        from_form = set(method.get("target", {}).get("from_form", []))
        for p, f in zip(keyword, params["fields"]):
            required = f["required"] and f.get("wire") not in from_form
            assert (p.default is inspect.Parameter.empty) == required, p.name
        others = [p.name for p in signature.parameters.values() if p.kind is not inspect.Parameter.KEYWORD_ONLY]
        assert others == (["self", "target"] if "target" in method else ["self"])
        assert fn.__doc__ and method["doc"].split("\n")[0] in fn.__doc__


@pytest.mark.parametrize("cls", [paynet.Client, paynet.AsyncClient])
def test_client_signatures_are_the_spec_options(cls: type) -> None:
    options = [o for o in SPEC["client_options"] if "python" in o]
    parameters = list(inspect.signature(cls).parameters.values())
    assert [p.name for p in parameters] == [o["python"]["name"] for o in options]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters)
    for p, o in zip(parameters, options):
        default = o["python"].get("default")
        if o["required"]:
            assert p.default is inspect.Parameter.empty, p.name
        else:
            assert p.default == default, p.name
        assert o["python"]["name"] in (cls.__init__.__doc__ or "")
    assert PER_CALL == ["timeout", "max_retries"]


def test_the_defaults_reach_core_unchanged(sandbox: Any) -> None:
    """Each spec default, passed explicitly, gives the client the default gives."""
    defaults = {o["python"]["name"]: o["python"]["default"] for o in SPEC["client_options"] if "python" in o and "default" in o["python"]}
    explicit = paynet.Client(secret_key=sandbox.secret_key, base_url=sandbox.url, **defaults)
    plain = sandbox.client()
    assert repr(explicit) == repr(plain)
    assert explicit.transactions.lookup("NO-SUCH-ORDER") is None


def test_models_and_enums_are_the_spec_declarations() -> None:
    models = {s["name"]: s for s in SPEC["structs"] if s["role"] == "model"}
    assert sorted(_models_gen.MODELS) == sorted(models)
    for name, struct in {**models, "Card": next(s for s in SPEC["structs"] if s["name"] == "Card")}.items():
        cls = getattr(paynet, name)
        assert issubclass(cls, getattr(_models_gen, name)), name
        assert [f.name for f in dataclasses.fields(cls)] == [f["name"] for f in struct["fields"]], name
    # Slotted all the way down: no per-object dict.
    assert not hasattr(paynet.TransactionRecord(is_succeed=True), "__dict__")
    assert not hasattr(paynet.Transaction(xact_id="xk_1", xact_date=dt.datetime.now(dt.timezone.utc), amount=Decimal("1"), is_succeed=True), "__dict__")
    assert not hasattr(paynet.Card("4355084355084358", 12, 2045, "000", "A B"), "__dict__")
    for enum in SPEC["enums"]:
        cls = getattr(paynet, enum["name"])
        assert [m.value for m in cls] == [v["value"] for v in enum["values"]]


def test_each_spec_error_kind_has_its_class() -> None:
    assert sorted(_errors._BY_KIND) == sorted(k["name"] for k in SPEC["error_kinds"])
    assert _errors._BY_KIND["invalid_request"] is paynet.InvalidRequestError
    assert _errors._BY_KIND["timeout"] is paynet.TimeoutError


def test_the_error_classes_are_the_spec_error_kinds() -> None:
    """One class per kind, named, placed and documented as spec/paynet.json says."""
    kinds = {k["name"]: k for k in SPEC["error_kinds"]}
    assert [cls.kind for cls in _errors_gen.BY_KIND.values()] == list(kinds)
    for name, kind in kinds.items():
        cls = getattr(paynet, kind["class"])
        assert cls is _errors._BY_KIND[name] and cls is _errors_gen.BY_KIND[name] and cls.kind == name
        assert cls.__name__ == kind["class"] and cls.__module__ == "paynet"
        parent = getattr(paynet, kinds[kind["parent"]]["class"]) if "parent" in kind else paynet.PaynetError
        assert cls.__bases__[0] is parent, name
        assert cls.__doc__ is not None and kind["doc"].split("\n")[0] in cls.__doc__, name
        for field in kind.get("always_set", []):
            assert "| None" not in cls.__annotations__[field], (name, field)
    # Every class the module defines is exported by paynet, and is a kind's or a subclass of one.
    for class_name in _errors_gen.__all__:
        cls = getattr(paynet, class_name)
        assert class_name in paynet.__all__ and cls is getattr(_errors, class_name)
        assert cls.kind in kinds and issubclass(cls, _errors_gen.BY_KIND[cls.kind])
    # The Python-only builtins.
    assert issubclass(paynet.TimeoutError, TimeoutError) and issubclass(paynet.InvalidTypeError, TypeError)
    assert paynet.InvalidTypeError.__bases__[0] is paynet.InvalidRequestError


def test_generated_files_say_so() -> None:
    for module in (_resources, _models_gen, _errors_gen):
        assert module.__file__ is not None
        assert Path(module.__file__).read_text(encoding="utf-8").startswith("# Generated by `make gen`")


async def test_a_card_of_the_wrong_type_is_refused_sync_and_async(client: paynet.Client, aclient: paynet.AsyncClient) -> None:
    with pytest.raises(paynet.InvalidTypeError, match="card: must be a paynet.Card or a mapping, not int") as refused:
        client.payments.create(amount=1, reference_no="R", domain="d", card=42)  # type: ignore[arg-type]
    assert refused.value.field == "card"
    with pytest.raises(paynet.InvalidTypeError, match="card: must be a paynet.Card or a mapping, not int"):
        await aclient.payments.create(amount=1, reference_no="R", domain="d", card=42)  # type: ignore[arg-type]
