from __future__ import annotations

from django.urls import path

from relais.projects import views

app_name = "projects"

urlpatterns = [
    path("diagnosis/", views.diagnosis_form, name="diagnosis"),
    path("diagnosis/<uuid:public_id>/", views.diagnosis_result, name="diagnosis_result"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:project_pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:project_pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:project_pk>/workspace/", views.workspace, name="workspace"),
    path("projects/<int:project_pk>/transition/", views.project_transition, name="transition"),
    path("projects/<int:project_pk>/review/", views.project_review, name="review"),
    path("projects/<int:project_pk>/images/", views.project_image_add, name="image_add"),
    path("projects/<int:project_pk>/images/<int:image_pk>/", views.project_image, name="image"),
    path(
        "projects/<int:project_pk>/images/<int:image_pk>/delete/",
        views.project_image_delete,
        name="image_delete",
    ),
    path("review/", views.review_queue, name="review_queue"),
]
