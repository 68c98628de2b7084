"""Relais's URLs plus a bare view (one row read by primary key), the yardstick of bench/web.py.
Never part of the product: only bench/web_settings.py points here."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from relais.accounts.models import User
from relais.urls import urlpatterns as relais_urlpatterns


def bare(request: HttpRequest, pk: int) -> HttpResponse:
    email = User.objects.filter(pk=pk).values_list("email", flat=True).get()
    return HttpResponse(email, content_type="text/plain")


urlpatterns = [path("__bench/bare/<int:pk>/", bare), *relais_urlpatterns]
