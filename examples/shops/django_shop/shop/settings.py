"""Settings of the Django shop, from the environment.

PAYNET_SECRET_KEY, PAYNET_BASE_URL (the sandbox; unset: Paynet's test system),
PAYNET_PUBLISHABLE_KEY, PAYNET_JS_URL (where paynet.min.js is served; default
PAYNET_BASE_URL) and SHOP_PUBLIC_URL (this shop as the bank and Paynet reach it).
No database: orders live in memory (shop/views.py).
"""

import os
import secrets

DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(32)
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
ROOT_URLCONF = "shop.urls"
INSTALLED_APPS = ["shop"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
DATABASES: dict[str, dict[str, str]] = {}

PAYNET_SECRET_KEY = os.environ.get("PAYNET_SECRET_KEY", "")
PAYNET_BASE_URL = os.environ.get("PAYNET_BASE_URL") or None
PAYNET_PUBLISHABLE_KEY = os.environ.get("PAYNET_PUBLISHABLE_KEY", "")
PAYNET_JS_URL = os.environ.get("PAYNET_JS_URL") or PAYNET_BASE_URL or "https://pts-pj.paynet.com.tr"
SHOP_PUBLIC_URL = os.environ.get("SHOP_PUBLIC_URL", "http://127.0.0.1:8000")
