"""A FastAPI shop taking money with Paynet (`paynet.AsyncClient`): 3D Secure (a sale, or a pre-auth
captured later), Paynet.js and PayLink.

    python examples/shops/fastapi_shop.py      # with no PAYNET_SECRET_KEY: an in-process sandbox

Configured by `create_app(...)` or, when run, by the environment: PAYNET_SECRET_KEY,
PAYNET_BASE_URL (the sandbox; unset: Paynet's test system), PAYNET_PUBLISHABLE_KEY,
PAYNET_JS_URL (where paynet.min.js is served; default PAYNET_BASE_URL) and
SHOP_PUBLIC_URL (this shop as the bank and Paynet reach it). Orders live in memory.
Templates: templates/ beside this file, shared with the Flask shop.

FastAPI has no CSRF protection of its own; with a CSRF middleware, exempt the two routes
that the bank and Paynet post to (`/checkout/3d/return`, `/paynet/confirmation`).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.templating import Jinja2Templates

import paynet

PAYNET_JS_TEST_URL = "https://pts-pj.paynet.com.tr"
templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))


@dataclass
class Order:
    reference: str
    amount: Decimal
    status: str = "awaiting payment"
    xact_id: str | None = None
    captured: Decimal | None = None
    capture_xact_id: str | None = None


def create_app(
    *,
    secret_key: str,
    public_url: str,
    paynet_url: str | None = None,
    publishable_key: str = "",
    paynet_js_url: str | None = None,
) -> FastAPI:
    # One client per process, shared by every request.
    client = paynet.AsyncClient(secret_key=secret_key, base_url=paynet_url) if paynet_url else paynet.AsyncClient(secret_key=secret_key)
    js_url = (paynet_js_url or paynet_url or PAYNET_JS_TEST_URL).rstrip("/")
    public_url = public_url.rstrip("/")
    orders: dict[str, Order] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await client.aclose()

    app = FastAPI(lifespan=lifespan)

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    def new_order(amount: str) -> Order:
        try:
            order = Order(reference=f"ORDER-{uuid.uuid4().hex[:12].upper()}", amount=Decimal(amount))
        except InvalidOperation:
            raise HTTPException(400, "amount must be a number") from None
        orders[order.reference] = order
        return order

    def find_order(reference: str) -> Order:
        if reference not in orders:
            raise HTTPException(404, "no such order")
        return orders[reference]

    def receipt(request: Request, tx: paynet.Transaction) -> HTMLResponse:
        # Paynet's answer names the order, not what the browser posted.
        order = orders.get(tx.reference_no or "")
        if order and order.status == "awaiting payment":  # once: a reloaded receipt does not undo a capture
            order.status = "pre-authorised" if tx.transaction_type == "pre_auth" else "paid"
            order.xact_id = tx.xact_id
        return page(request, "receipt.html", tx=tx, order=order)

    def failed(request: Request, error: paynet.PaynetError) -> HTMLResponse:
        if isinstance(error, paynet.ThreeDSecureError):
            message = "3D Secure verification was not completed. Nothing was charged."
        elif isinstance(error, paynet.CardDeclinedError):
            message = f"Your bank declined the card: {error.bank_message or 'no reason given'}."
        else:  # An UnknownOutcomeError may have charged: look it up (transactions.lookup) before retrying.
            message = "The payment could not be completed."
        return page(request, "failed.html", 402, message=message)

    async def capture_once(xact_id: str, amount: Decimal) -> paynet.Transaction | None:
        """Captures `amount` of the pre-auth; None when a lost answer had captured it."""
        try:
            return await client.payments.capture(xact_id=xact_id, amount=amount)
        except paynet.UnknownOutcomeError:
            pass
        # It may have captured: repeat it. Paynet captures a pre-auth at most once and refuses
        # a second capture (invalid_request, result_code 6) without moving money.
        try:
            return await client.payments.capture(xact_id=xact_id, amount=amount)
        except paynet.InvalidRequestError as e:
            if e.result_code == 6:
                return None
            raise

    def capture_failed(request: Request, error: paynet.PaynetError) -> HTMLResponse:
        if isinstance(error, paynet.CardDeclinedError):
            message, status = f"Your bank declined the capture: {error.bank_message or 'no reason given'}.", 402
        elif isinstance(error, paynet.InvalidRequestError):
            message, status = f"Paynet refused the capture: {error.message}", 400
        else:  # the answer was lost twice, or Paynet was out of reach
            message, status = "The capture could not be completed. Capturing again is safe: Paynet captures once.", 502
        return page(request, "failed.html", status, heading="Capture failed", message=message)

    @app.get("/", response_class=HTMLResponse)
    async def checkout(request: Request) -> HTMLResponse:
        return page(request, "checkout.html", amount="150.00", error=None)

    @app.post("/checkout/3d", response_class=HTMLResponse)
    async def start_3d(
        request: Request,
        amount: Annotated[str, Form()],
        card_holder: Annotated[str, Form()],
        card_number: Annotated[str, Form()],
        exp_month: Annotated[str, Form()],
        exp_year: Annotated[str, Form()],
        cvc: Annotated[str, Form()],
        kind: Annotated[str, Form()] = "sale",
    ) -> HTMLResponse:
        order = new_order(amount)
        card: paynet.CardDict = {"number": card_number, "exp_month": exp_month, "exp_year": exp_year, "cvc": cvc, "holder_name": card_holder}
        try:
            session = await client.payments.create_3d(
                amount=order.amount,
                reference_no=order.reference,
                domain=urlsplit(public_url).hostname or "localhost",
                card=card,
                transaction_type="pre_auth" if kind == "pre_auth" else "sale",
                return_url=f"{public_url}/checkout/3d/return",
            )
        except paynet.InvalidRequestError as e:
            return page(request, "checkout.html", 400, amount=amount, error=f"Please check {e.field}.")
        if session.html_content is None:
            raise HTTPException(502, "Paynet sent no 3D page")
        # A page that takes the browser to the bank's 3D page: send it as it is.
        return HTMLResponse(session.html_content)

    # Posted by the bank's page, not by ours (so it would carry no CSRF token).
    @app.post("/checkout/3d/return", response_class=HTMLResponse)
    async def return_3d(request: Request) -> HTMLResponse:
        try:
            # The posted md_status is not trusted: Paynet's tds_charge answer decides.
            tx = await client.payments.complete_3d(await request.form())
        except paynet.PaynetError as e:
            return failed(request, e)
        return receipt(request, tx)

    @app.get("/checkout/paynetjs", response_class=HTMLResponse)
    async def paynetjs_page(request: Request, amount: str = "150.00") -> HTMLResponse:
        order = new_order(amount)
        kurus = int(order.amount * 100)
        return page(request, "paynetjs.html", order=order, js_url=js_url, publishable_key=publishable_key, kurus=kurus)

    @app.post("/checkout/paynetjs", response_class=HTMLResponse)
    async def paynetjs_charge(
        request: Request,
        order: Annotated[str, Form()],
        session_id: Annotated[str, Form()],
        token_id: Annotated[str, Form()],
    ) -> HTMLResponse:
        found = find_order(order)
        try:
            # The amount comes from the order, never from the browser.
            tx = await client.payments.charge(
                session_id=session_id, token_id=token_id, amount=found.amount, reference_no=found.reference
            )
        except paynet.PaynetError as e:
            return failed(request, e)
        return receipt(request, tx)

    @app.post("/paylinks", response_class=HTMLResponse)
    async def create_paylink(
        request: Request, amount: Annotated[str, Form()], name_surname: Annotated[str, Form()]
    ) -> HTMLResponse:
        order = new_order(amount)
        link = await client.pay_links.create(
            name_surname=name_surname,
            amount=order.amount,
            reference_no=order.reference,
            confirmation_url=f"{public_url}/paynet/confirmation",
            succeed_url=f"{public_url}/orders/{order.reference}",
        )
        return page(request, "paylink.html", order=order, url=link.url)

    @app.post("/orders/{reference}/capture", response_class=HTMLResponse)
    async def capture(request: Request, reference: str, amount: Annotated[str, Form()] = "") -> HTMLResponse:
        order = find_order(reference)
        xact_id = order.xact_id  # the pre-auth Paynet named on the receipt, never one from the form
        if order.status != "pre-authorised" or xact_id is None:
            message = f"Order {order.reference} is {order.status}: there is nothing to capture."
            return page(request, "failed.html", 409, heading="Capture refused", message=message)
        value = Decimal(amount.strip()) if re.fullmatch(r"\d{1,9}(\.\d{1,2})?", amount.strip()) else Decimal(0)
        if not 0 < value <= order.amount:
            raise HTTPException(400, f"amount must be above 0 and at most {order.amount} TL, with at most two decimals")
        order.status = "capturing"  # from here a second capture of the order is refused
        try:
            tx = await capture_once(xact_id, value)
        except paynet.PaynetError as e:
            order.status = "pre-authorised"  # nothing captured, or not known to be: capturing again is safe
            return capture_failed(request, e)
        order.status = "captured"
        if tx is None:  # a lost answer had captured it: what was asked for was taken
            order.captured = value
        else:
            order.captured, order.capture_xact_id = tx.amount or value, tx.xact_id
        return page(request, "captured.html", order=order)

    @app.get("/orders/{reference}", response_class=HTMLResponse)
    async def order_page(request: Request, reference: str) -> HTMLResponse:
        # succeed_url gets ?xact_id=... appended: not proof of payment, the confirmation is.
        return page(request, "order.html", order=find_order(reference))

    # Posted by Paynet's servers, not by a browser (so it would carry no CSRF token).
    @app.post("/paynet/confirmation", response_class=PlainTextResponse)
    async def confirmation(request: Request) -> PlainTextResponse:
        try:
            confirmed = await client.pay_links.verify_confirmation(body=(await request.body()).decode())
        except (paynet.ConfirmationMismatchError, paynet.InvalidRequestError, UnicodeDecodeError):
            return PlainTextResponse("rejected", 400)  # forged or garbled: the order stays unpaid
        except paynet.CardDeclinedError:
            return PlainTextResponse("ok")  # a genuine post about a failed payment: nothing to ship
        order = orders.get(confirmed.reference_no)
        if order is None or confirmed.amount != order.amount:
            return PlainTextResponse("rejected", 400)
        order.status, order.xact_id = "paid", confirmed.xact_id
        return PlainTextResponse("ok")

    return app


def main() -> None:
    import uvicorn

    port = int(os.environ.get("PORT", "8000"))
    secret_key = os.environ.get("PAYNET_SECRET_KEY", "")
    paynet_url = os.environ.get("PAYNET_BASE_URL")
    publishable_key = os.environ.get("PAYNET_PUBLISHABLE_KEY", "")
    if not secret_key:
        from paynet.testing import Sandbox

        sandbox = Sandbox()
        secret_key, paynet_url = sandbox.secret_key, sandbox.url
        publishable_key = sandbox.publishable_key
        print(f"no PAYNET_SECRET_KEY: using a local sandbox at {paynet_url}")
    app = create_app(
        secret_key=secret_key,
        public_url=os.environ.get("SHOP_PUBLIC_URL", f"http://127.0.0.1:{port}"),
        paynet_url=paynet_url,
        publishable_key=publishable_key,
        paynet_js_url=os.environ.get("PAYNET_JS_URL"),
    )
    uvicorn.run(app, host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
