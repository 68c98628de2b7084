from __future__ import annotations

from django.urls import path

from relais.funding import views

app_name = "funding"

urlpatterns = [
    path("circles/", views.circles, name="circles"),
    path("circles/<int:circle_pk>/", views.circle_detail, name="circle"),
    path("circles/<int:circle_pk>/invite/", views.circle_invite, name="invite"),
    path("circles/<int:circle_pk>/link/", views.circle_link_renew, name="link_renew"),
    path(
        "circles/<int:circle_pk>/members/<int:membership_pk>/admin/",
        views.membership_make_admin,
        name="make_admin",
    ),
    path("circles/<int:circle_pk>/leave/", views.circle_leave, name="leave"),
    path("circles/<int:circle_pk>/subscription/", views.subscribe, name="subscribe"),
    path("circles/join/<str:token>/", views.join, name="join"),
    path("circle-invitations/<int:circle_invitation_pk>/", views.invitation, name="invitation"),
    path("collections/", views.collections, name="collections"),
    path("collections/returns/", views.returns_import, name="returns_import"),
    path("collections/<int:run_pk>/", views.collection_detail, name="collection"),
    path("collections/<int:run_pk>/pain008.xml", views.collection_file, name="collection_file"),
]
