from django.urls import path

from . import views

urlpatterns = [
    path("", views.checkout),
    path("checkout/3d", views.start_3d),
    path("checkout/3d/return", views.return_3d),
    path("checkout/paynetjs", views.paynetjs),
    path("paylinks", views.create_paylink),
    path("orders/<str:reference>", views.order_page),
    path("orders/<str:reference>/capture", views.capture),
    path("paynet/confirmation", views.confirmation),
]
