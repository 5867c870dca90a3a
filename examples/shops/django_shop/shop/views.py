"""The shop's views: 3D Secure checkout (a sale, or a pre-auth captured later), Paynet.js, PayLink
and its confirmation post."""

from __future__ import annotations

import functools
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import paynet


@dataclass
class Order:
    reference: str
    amount: Decimal
    status: str = "awaiting payment"
    xact_id: str | None = None
    captured: Decimal | None = None
    capture_xact_id: str | None = None


ORDERS: dict[str, Order] = {}


@functools.cache
def _client(secret_key: str, base_url: str | None) -> paynet.Client:
    if base_url:
        return paynet.Client(secret_key=secret_key, base_url=base_url)
    return paynet.Client(secret_key=secret_key)


def client() -> paynet.Client:
    """One client per process and configuration: thread-safe, reused by every request."""
    return _client(settings.PAYNET_SECRET_KEY, settings.PAYNET_BASE_URL)


def public_url(path: str) -> str:
    base: str = settings.SHOP_PUBLIC_URL
    return base.rstrip("/") + path


def new_order(amount: str) -> Order:
    try:
        order = Order(reference=f"ORDER-{uuid.uuid4().hex[:12].upper()}", amount=Decimal(amount))
    except InvalidOperation:
        raise BadRequest("amount must be a number") from None
    ORDERS[order.reference] = order
    return order


def find_order(reference: str) -> Order:
    try:
        return ORDERS[reference]
    except KeyError:
        raise Http404("no such order") from None


def receipt(request: HttpRequest, tx: paynet.Transaction) -> HttpResponse:
    # Paynet's answer names the order, not what the browser posted.
    order = ORDERS.get(tx.reference_no or "")
    if order and order.status == "awaiting payment":  # once: a reloaded receipt does not undo a capture
        order.status = "pre-authorised" if tx.transaction_type == "pre_auth" else "paid"
        order.xact_id = tx.xact_id
    return render(request, "shop/receipt.html", {"tx": tx, "order": order})


def failed(request: HttpRequest, error: paynet.PaynetError) -> HttpResponse:
    if isinstance(error, paynet.ThreeDSecureError):
        message = "3D Secure verification was not completed. Nothing was charged."
    elif isinstance(error, paynet.CardDeclinedError):
        message = f"Your bank declined the card: {error.bank_message or 'no reason given'}."
    else:  # An UnknownOutcomeError may have charged: look it up (transactions.lookup) before retrying.
        message = "The payment could not be completed."
    return render(request, "shop/failed.html", {"message": message}, status=402)


def capture_once(xact_id: str, amount: Decimal) -> paynet.Transaction | None:
    """Captures `amount` of the pre-auth; None when a lost answer had captured it."""
    try:
        return client().payments.capture(xact_id=xact_id, amount=amount)
    except paynet.UnknownOutcomeError:
        pass
    # It may have captured: repeat it. Paynet captures a pre-auth at most once and refuses
    # a second capture (invalid_request, result_code 6) without moving money.
    try:
        return client().payments.capture(xact_id=xact_id, amount=amount)
    except paynet.InvalidRequestError as e:
        if e.result_code == 6:
            return None
        raise


def capture_failed(request: HttpRequest, error: paynet.PaynetError) -> HttpResponse:
    if isinstance(error, paynet.CardDeclinedError):
        message, status = f"Your bank declined the capture: {error.bank_message or 'no reason given'}.", 402
    elif isinstance(error, paynet.InvalidRequestError):
        message, status = f"Paynet refused the capture: {error.message}", 400
    else:  # the answer was lost twice, or Paynet was out of reach
        message, status = "The capture could not be completed. Capturing again is safe: Paynet captures once.", 502
    return render(request, "shop/failed.html", {"heading": "Capture failed", "message": message}, status=status)


@require_GET
def checkout(request: HttpRequest) -> HttpResponse:
    return render(request, "shop/checkout.html", {"amount": "150.00"})


@require_POST
def start_3d(request: HttpRequest) -> HttpResponse:
    form = request.POST
    order = new_order(form["amount"])
    card: paynet.CardDict = {
        "number": form["card_number"],
        "exp_month": form["exp_month"],
        "exp_year": form["exp_year"],
        "cvc": form["cvc"],
        "holder_name": form["card_holder"],
    }
    try:
        session = client().payments.create_3d(
            amount=order.amount,
            reference_no=order.reference,
            domain=urlsplit(settings.SHOP_PUBLIC_URL).hostname or "localhost",
            card=card,
            transaction_type="pre_auth" if form.get("kind") == "pre_auth" else "sale",
            return_url=public_url("/checkout/3d/return"),
        )
    except paynet.InvalidRequestError as e:
        context = {"amount": form["amount"], "error": f"Please check {e.field}."}
        return render(request, "shop/checkout.html", context, status=400)
    if session.html_content is None:
        return HttpResponse("Paynet sent no 3D page", status=502)
    # A page that takes the browser to the bank's 3D page: send it as it is.
    return HttpResponse(session.html_content)


# The bank's page posts here, not ours: it cannot carry our CSRF token.
@csrf_exempt
@require_POST
def return_3d(request: HttpRequest) -> HttpResponse:
    try:
        # The posted md_status is not trusted: Paynet's tds_charge answer decides.
        tx = client().payments.complete_3d(request.POST)
    except paynet.PaynetError as e:
        return failed(request, e)
    return receipt(request, tx)


@require_http_methods(["GET", "POST"])
def paynetjs(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        order = new_order(request.GET.get("amount", "150.00"))
        context = {
            "order": order,
            "js_url": settings.PAYNET_JS_URL.rstrip("/"),
            "publishable_key": settings.PAYNET_PUBLISHABLE_KEY,
            "kurus": int(order.amount * 100),
        }
        return render(request, "shop/paynetjs.html", context)
    # Paynet.js submits our own form (with its CSRF token) once the card is accepted.
    order = find_order(request.POST["order"])
    try:
        # The amount comes from the order, never from the browser.
        tx = client().payments.charge(
            session_id=request.POST["session_id"],
            token_id=request.POST["token_id"],
            amount=order.amount,
            reference_no=order.reference,
        )
    except paynet.PaynetError as e:
        return failed(request, e)
    return receipt(request, tx)


@require_POST
def create_paylink(request: HttpRequest) -> HttpResponse:
    order = new_order(request.POST["amount"])
    link = client().pay_links.create(
        name_surname=request.POST["name_surname"],
        amount=order.amount,
        reference_no=order.reference,
        confirmation_url=public_url("/paynet/confirmation"),
        succeed_url=public_url(f"/orders/{order.reference}"),
    )
    return render(request, "shop/paylink.html", {"order": order, "url": link.url})


# Our own receipt page posts here, with its CSRF token.
@require_POST
def capture(request: HttpRequest, reference: str) -> HttpResponse:
    order = find_order(reference)
    xact_id = order.xact_id  # the pre-auth Paynet named on the receipt, never one from the form
    if order.status != "pre-authorised" or xact_id is None:
        message = f"Order {order.reference} is {order.status}: there is nothing to capture."
        return render(request, "shop/failed.html", {"heading": "Capture refused", "message": message}, status=409)
    text = request.POST.get("amount", "").strip()
    amount = Decimal(text) if re.fullmatch(r"\d{1,9}(\.\d{1,2})?", text) else Decimal(0)
    if not 0 < amount <= order.amount:
        raise BadRequest(f"amount must be above 0 and at most {order.amount} TL, with at most two decimals")
    order.status = "capturing"  # from here a second capture of the order is refused
    try:
        tx = capture_once(xact_id, amount)
    except paynet.PaynetError as e:
        order.status = "pre-authorised"  # nothing captured, or not known to be: capturing again is safe
        return capture_failed(request, e)
    order.status = "captured"
    if tx is None:  # a lost answer had captured it: what was asked for was taken
        order.captured = amount
    else:
        order.captured, order.capture_xact_id = tx.amount or amount, tx.xact_id
    return render(request, "shop/captured.html", {"order": order})


@require_GET
def order_page(request: HttpRequest, reference: str) -> HttpResponse:
    # succeed_url gets ?xact_id=... appended: not proof of payment, the confirmation is.
    return render(request, "shop/order.html", {"order": find_order(reference)})


# Paynet's servers post here, not a browser: there is no CSRF token to check.
@csrf_exempt
@require_POST
def confirmation(request: HttpRequest) -> HttpResponse:
    try:
        confirmed = client().pay_links.verify_confirmation(body=request.body.decode())
    except (paynet.ConfirmationMismatchError, paynet.InvalidRequestError, UnicodeDecodeError):
        return HttpResponseBadRequest("rejected")  # forged or garbled: the order stays unpaid
    except paynet.CardDeclinedError:
        return HttpResponse("ok")  # a genuine post about a failed payment: nothing to ship
    order = ORDERS.get(confirmed.reference_no)
    if order is None or confirmed.amount != order.amount:
        return HttpResponseBadRequest("rejected")
    order.status, order.xact_id = "paid", confirmed.xact_id
    return HttpResponse("ok")
