"""A Flask shop taking money with Paynet: 3D Secure (a sale, or a pre-auth captured later), Paynet.js and PayLink.

    python examples/shops/flask_shop.py        # with no PAYNET_SECRET_KEY: an in-process sandbox

Configured by `create_app(...)` or, when run, by the environment: PAYNET_SECRET_KEY,
PAYNET_BASE_URL (the sandbox; unset: Paynet's test system), PAYNET_PUBLISHABLE_KEY,
PAYNET_JS_URL (where paynet.min.js is served; default PAYNET_BASE_URL) and
SHOP_PUBLIC_URL (this shop as the bank and Paynet reach it). Orders live in memory.

Flask has no CSRF protection of its own; with Flask-WTF's CSRFProtect, exempt the two
routes that the bank and Paynet post to (`csrf.exempt`), as the Django shop does.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, render_template, request

import paynet

PAYNET_JS_TEST_URL = "https://pts-pj.paynet.com.tr"


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
) -> Flask:
    app = Flask(__name__, template_folder=str(Path(__file__).with_name("templates")))
    # One client per process: thread-safe, reused by every request.
    client = paynet.Client(secret_key=secret_key, base_url=paynet_url) if paynet_url else paynet.Client(secret_key=secret_key)
    js_url = (paynet_js_url or paynet_url or PAYNET_JS_TEST_URL).rstrip("/")
    public_url = public_url.rstrip("/")
    orders: dict[str, Order] = {}

    def new_order(amount: str) -> Order:
        try:
            value = Decimal(amount)
        except InvalidOperation:
            abort(400, "amount must be a number")
        order = Order(reference=f"ORDER-{uuid.uuid4().hex[:12].upper()}", amount=value)
        orders[order.reference] = order
        return order

    def receipt(tx: paynet.Transaction) -> str:
        # Paynet's answer names the order, not what the browser posted.
        order = orders.get(tx.reference_no or "")
        if order and order.status == "awaiting payment":  # once: a reloaded receipt does not undo a capture
            order.status = "pre-authorised" if tx.transaction_type == "pre_auth" else "paid"
            order.xact_id = tx.xact_id
        return render_template("receipt.html", tx=tx, order=order)

    def failed(error: paynet.PaynetError) -> tuple[str, int]:
        if isinstance(error, paynet.ThreeDSecureError):
            message = "3D Secure verification was not completed. Nothing was charged."
        elif isinstance(error, paynet.CardDeclinedError):
            message = f"Your bank declined the card: {error.bank_message or 'no reason given'}."
        else:  # An UnknownOutcomeError may have charged: look it up (transactions.lookup) before retrying.
            message = "The payment could not be completed."
        return render_template("failed.html", message=message), 402

    def capture_once(xact_id: str, amount: Decimal) -> paynet.Transaction | None:
        """Captures `amount` of the pre-auth; None when a lost answer had captured it."""
        try:
            return client.payments.capture(xact_id=xact_id, amount=amount)
        except paynet.UnknownOutcomeError:
            pass
        # It may have captured: repeat it. Paynet captures a pre-auth at most once and refuses
        # a second capture (invalid_request, result_code 6) without moving money.
        try:
            return client.payments.capture(xact_id=xact_id, amount=amount)
        except paynet.InvalidRequestError as e:
            if e.result_code == 6:
                return None
            raise

    def capture_failed(error: paynet.PaynetError) -> tuple[str, int]:
        if isinstance(error, paynet.CardDeclinedError):
            message, status = f"Your bank declined the capture: {error.bank_message or 'no reason given'}.", 402
        elif isinstance(error, paynet.InvalidRequestError):
            message, status = f"Paynet refused the capture: {error.message}", 400
        else:  # the answer was lost twice, or Paynet was out of reach
            message, status = "The capture could not be completed. Capturing again is safe: Paynet captures once.", 502
        return render_template("failed.html", heading="Capture failed", message=message), status

    @app.get("/")
    def checkout() -> str:
        return render_template("checkout.html", amount="150.00", error=None)

    @app.post("/checkout/3d")
    def start_3d() -> str | tuple[str, int]:
        order = new_order(request.form["amount"])
        card: paynet.CardDict = {
            "number": request.form["card_number"],
            "exp_month": request.form["exp_month"],
            "exp_year": request.form["exp_year"],
            "cvc": request.form["cvc"],
            "holder_name": request.form["card_holder"],
        }
        try:
            session = client.payments.create_3d(
                amount=order.amount,
                reference_no=order.reference,
                domain=urlsplit(public_url).hostname or "localhost",
                card=card,
                transaction_type="pre_auth" if request.form.get("kind") == "pre_auth" else "sale",
                return_url=f"{public_url}/checkout/3d/return",
            )
        except paynet.InvalidRequestError as e:
            return render_template("checkout.html", amount=request.form["amount"], error=f"Please check {e.field}."), 400
        # A page that takes the browser to the bank's 3D page: send it as it is.
        return session.html_content or abort(502)

    # Posted by the bank's page, not by ours (so it would carry no CSRF token).
    @app.post("/checkout/3d/return")
    def return_3d() -> str | tuple[str, int]:
        try:
            # The posted md_status is not trusted: Paynet's tds_charge answer decides.
            tx = client.payments.complete_3d(request.form)
        except paynet.PaynetError as e:
            return failed(e)
        return receipt(tx)

    @app.get("/checkout/paynetjs")
    def paynetjs_page() -> str:
        order = new_order(request.args.get("amount", "150.00"))
        return render_template(
            "paynetjs.html", order=order, js_url=js_url, publishable_key=publishable_key, kurus=int(order.amount * 100)
        )

    @app.post("/checkout/paynetjs")
    def paynetjs_charge() -> str | tuple[str, int]:
        order = orders.get(request.form["order"]) or abort(404)
        try:
            # The amount comes from the order, never from the browser.
            tx = client.payments.charge(
                session_id=request.form["session_id"],
                token_id=request.form["token_id"],
                amount=order.amount,
                reference_no=order.reference,
            )
        except paynet.PaynetError as e:
            return failed(e)
        return receipt(tx)

    @app.post("/paylinks")
    def create_paylink() -> str:
        order = new_order(request.form["amount"])
        link = client.pay_links.create(
            name_surname=request.form["name_surname"],
            amount=order.amount,
            reference_no=order.reference,
            confirmation_url=f"{public_url}/paynet/confirmation",
            succeed_url=f"{public_url}/orders/{order.reference}",
        )
        return render_template("paylink.html", order=order, url=link.url)

    @app.post("/orders/<reference>/capture")
    def capture(reference: str) -> str | tuple[str, int]:
        order = orders.get(reference) or abort(404)
        xact_id = order.xact_id  # the pre-auth Paynet named on the receipt, never one from the form
        if order.status != "pre-authorised" or xact_id is None:
            message = f"Order {order.reference} is {order.status}: there is nothing to capture."
            return render_template("failed.html", heading="Capture refused", message=message), 409
        text = request.form.get("amount", "").strip()
        amount = Decimal(text) if re.fullmatch(r"\d{1,9}(\.\d{1,2})?", text) else Decimal(0)
        if not 0 < amount <= order.amount:
            abort(400, f"amount must be above 0 and at most {order.amount} TL, with at most two decimals")
        order.status = "capturing"  # from here a second capture of the order is refused
        try:
            tx = capture_once(xact_id, amount)
        except paynet.PaynetError as e:
            order.status = "pre-authorised"  # nothing captured, or not known to be: capturing again is safe
            return capture_failed(e)
        order.status = "captured"
        if tx is None:  # a lost answer had captured it: what was asked for was taken
            order.captured = amount
        else:
            order.captured, order.capture_xact_id = tx.amount or amount, tx.xact_id
        return render_template("captured.html", order=order)

    @app.get("/orders/<reference>")
    def order_page(reference: str) -> str:
        # succeed_url gets ?xact_id=... appended: not proof of payment, the confirmation is.
        return render_template("order.html", order=orders.get(reference) or abort(404))

    # Posted by Paynet's servers, not by a browser (so it would carry no CSRF token).
    @app.post("/paynet/confirmation")
    def confirmation() -> tuple[str, int]:
        try:
            confirmed = client.pay_links.verify_confirmation(body=request.get_data(as_text=True))
        except (paynet.ConfirmationMismatchError, paynet.InvalidRequestError):
            return "rejected", 400  # forged or garbled: the order stays unpaid
        except paynet.CardDeclinedError:
            return "ok", 200  # a genuine post about a failed payment: nothing to ship
        order = orders.get(confirmed.reference_no)
        if order is None or confirmed.amount != order.amount:
            return "rejected", 400
        order.status, order.xact_id = "paid", confirmed.xact_id
        return "ok", 200

    return app


def main() -> None:
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
    app.run(host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
