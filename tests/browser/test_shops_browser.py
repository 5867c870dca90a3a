"""The example shops in a real headless Chromium against the sandbox: the customer's
clicks from the shop's checkout page through the bank's 3D page, Paynet.js's card form
and the PayLink payer's page, back to the shop, and the capture of a 3D pre-auth from its
receipt. Screenshots of each page of the 3D, pre-auth + capture and Paynet.js flows go to
test-output/screenshots/."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from paynet.testing import TEST_CARDS, Sandbox

from .conftest import SCREENSHOTS, LiveShop

pytest.importorskip("selenium")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

WAIT = 15  # seconds; every wait is for an element or a condition, never a fixed time


def wait_for(browser: Any, element_id: str) -> WebElement:
    element: WebElement = WebDriverWait(browser, WAIT).until(ec.visibility_of_element_located((By.ID, element_id)))
    return element


def fill(browser: Any, values: dict[str, str]) -> None:
    for element_id, value in values.items():
        field = wait_for(browser, element_id)
        field.clear()
        field.send_keys(value)


def click(browser: Any, element_id: str) -> None:
    WebDriverWait(browser, WAIT).until(ec.element_to_be_clickable((By.ID, element_id))).click()


def screenshot(browser: Any, shop: LiveShop, name: str) -> None:
    assert browser.save_screenshot(str(SCREENSHOTS / f"{shop.name}-{name}.png"))


def checkout_3d(
    browser: Any, shop: LiveShop, amount: str, pan: str = TEST_CARDS["success"], shots: str = "", kind: str = "sale"
) -> None:
    """The shop's checkout page, filled and paid (`kind`: sale or pre_auth): ends on the bank's 3D page."""
    browser.get(shop.url + "/")
    fill(browser, {"amount": amount, "card-holder": "AYSE YILMAZ", "card-number": pan, "exp-month": "12", "exp-year": "2045", "cvc": "000"})
    Select(wait_for(browser, "kind")).select_by_value(kind)
    if shots:
        screenshot(browser, shop, f"{shots}-1-checkout")
    click(browser, "pay-3d")
    wait_for(browser, "otp")  # html_content took the browser to the bank's page


def test_a_3d_sale_from_checkout_to_receipt(browser: Any, shop: LiveShop, sandbox: Sandbox) -> None:
    checkout_3d(browser, shop, "150.00", shots="3d")
    assert browser.current_url.startswith(sandbox.url + "/")
    assert wait_for(browser, "amount").text == "150.00 TRY"
    assert wait_for(browser, "card").text == "435508******4358"
    screenshot(browser, shop, "3d-2-bank")
    fill(browser, {"otp": "123456"})
    screenshot(browser, shop, "3d-3-bank-otp")
    click(browser, "confirm")
    # The bank's page posts back to the shop's return_url, which completes the payment.
    assert wait_for(browser, "receipt").text == "Thank you, payment received"
    assert browser.current_url == f"{shop.url}/checkout/3d/return"
    assert browser.find_element(By.ID, "receipt-amount").text == "150.00 TL"
    assert browser.find_element(By.ID, "receipt-card").text == "435508******4358"
    assert browser.find_element(By.ID, "receipt-xact").text.startswith("xk_")
    screenshot(browser, shop, "3d-4-receipt")


def test_a_3d_pre_auth_is_captured_from_its_receipt(browser: Any, shop: LiveShop, sandbox: Sandbox) -> None:
    checkout_3d(browser, shop, "80.00", kind="pre_auth", shots="capture")
    assert wait_for(browser, "amount").text == "80.00 TRY"
    screenshot(browser, shop, "capture-2-bank")
    fill(browser, {"otp": "123456"})
    click(browser, "confirm")
    assert wait_for(browser, "receipt-kind").text == "pre-authorised"
    assert wait_for(browser, "capture-amount").get_attribute("value") == "80.00"  # the order's amount
    screenshot(browser, shop, "capture-3-receipt")
    click(browser, "capture")
    # The shop captured the order's pre-auth (the xact_id it keeps) for the posted amount.
    assert wait_for(browser, "captured").text == "Payment captured"
    reference = browser.find_element(By.ID, "captured-order").text
    assert browser.current_url == f"{shop.url}/orders/{reference}/capture"
    assert browser.find_element(By.ID, "captured-amount").text == "80.00 TL"
    screenshot(browser, shop, "capture-4-captured")
    with sandbox.client() as client:
        checked = client.transactions.check(xact_id=browser.find_element(By.ID, "captured-xact").text)
    assert (checked.transaction_type, checked.amount, checked.reference_no) == ("capture", Decimal("80.00"), reference)


def test_a_cancelled_3d_ends_on_the_failure_page(browser: Any, shop: LiveShop) -> None:
    checkout_3d(browser, shop, "75.00")
    click(browser, "cancel")
    assert wait_for(browser, "failed").text == "Payment failed"
    assert "3D Secure" in browser.find_element(By.ID, "failed-reason").text


def test_a_wrong_otp_is_asked_again_then_the_right_one_pays(browser: Any, shop: LiveShop) -> None:
    checkout_3d(browser, shop, "20.00")
    fill(browser, {"otp": "111111"})
    click(browser, "confirm")
    assert "2" in wait_for(browser, "otp-error").text  # two tries left
    fill(browser, {"otp": "123456"})
    click(browser, "confirm")
    assert wait_for(browser, "receipt-amount").text == "20.00 TL"


def test_a_paynetjs_payment_from_button_to_receipt(browser: Any, shop: LiveShop) -> None:
    browser.get(f"{shop.url}/checkout/paynetjs?amount=25.00")
    button = wait_for(browser, "paynet-button")  # rendered by the sandbox's paynet.min.js
    assert button.text == "Pay 25.00 TL"
    screenshot(browser, shop, "paynetjs-1-page")
    button.click()
    fill(
        browser,
        {"paynet-card-holder": "AYSE YILMAZ", "paynet-pan": TEST_CARDS["success"], "paynet-month": "12", "paynet-year": "2045", "paynet-cvc": "000"},
    )
    assert browser.find_element(By.ID, "paynet-amount").text == "Tutar: 25.00 TL"
    screenshot(browser, shop, "paynetjs-2-card-form")
    click(browser, "paynet-pay")
    # Paynet.js added session_id and token_id to the shop's form and submitted it.
    assert wait_for(browser, "receipt-amount").text == "25.00 TL"
    assert browser.current_url == f"{shop.url}/checkout/paynetjs"
    screenshot(browser, shop, "paynetjs-3-receipt")


def test_a_paylink_paid_on_the_payer_page_marks_the_order_paid(browser: Any, shop: LiveShop, sandbox: Sandbox) -> None:
    browser.get(shop.url + "/")
    fill(browser, {"paylink-amount": "99.90"})
    click(browser, "create-paylink")
    reference = wait_for(browser, "order-ref").text
    click(browser, "paylink-url")
    assert wait_for(browser, "paylink-amount").text == "99.90 TRY"
    fill(
        browser,
        {"paylink-card-holder": "AYSE YILMAZ", "paylink-pan": TEST_CARDS["success"], "paylink-month": "12", "paylink-year": "2045", "paylink-cvc": "000"},
    )
    click(browser, "paylink-pay")
    # Paynet sends the payer to succeed_url; the shop marks the order paid only when the
    # confirmation post (delivered in the background) verifies, so reload until it has.
    WebDriverWait(browser, WAIT).until(lambda b: b.current_url.startswith(f"{shop.url}/orders/{reference}?xact_id="))

    def paid(b: Any) -> bool:
        if b.find_element(By.ID, "order-status").text == "paid":
            return True
        b.refresh()
        return False

    WebDriverWait(browser, WAIT, poll_frequency=0.1).until(paid)
    assert browser.find_element(By.ID, "order-xact").text.startswith("xk_")
    delivered = [c for c in sandbox.confirmations() if c["reference_no"] == reference]
    assert [c["status"] for c in delivered] == [200]
