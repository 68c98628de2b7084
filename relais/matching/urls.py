from __future__ import annotations

from django.urls import path

from relais.matching import views

app_name = "matching"

urlpatterns = [
    path(
        "suggestions/<int:suggestion_pk>/decline/",
        views.suggestion_decline,
        name="suggestion_decline",
    ),
    path("staff/matching/weights/", views.weights_edit, name="weights"),
    path("staff/matching/rounds/", views.rounds, name="rounds"),
]
