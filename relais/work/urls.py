from __future__ import annotations

from django.urls import path

from relais.work import views

app_name = "work"

urlpatterns = [
    path("projects/<int:project_pk>/tasks/", views.board, name="board"),
    path("projects/<int:project_pk>/tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:task_pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:task_pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:task_pk>/publish/", views.task_publish, name="task_publish"),
    path("tasks/<int:task_pk>/cancel/", views.task_cancel, name="task_cancel"),
    path("tasks/<int:task_pk>/claim/", views.task_claim, name="task_claim"),
    path("tasks/<int:task_pk>/release/", views.task_release, name="task_release"),
    path("tasks/<int:task_pk>/time/", views.time_log, name="time_log"),
    path("tasks/<int:task_pk>/comments/", views.comment_add, name="comment_add"),
    path("tasks/<int:task_pk>/submit/", views.task_submit, name="task_submit"),
    path("tasks/<int:task_pk>/accept/", views.task_accept, name="task_accept"),
    path("tasks/<int:task_pk>/return/", views.task_return, name="task_return"),
    path("tasks/<int:task_pk>/move/<str:direction>/", views.task_move, name="task_move"),
    path("handovers/<int:handover_pk>/edit/", views.handover_edit, name="handover_edit"),
    path("projects/<int:project_pk>/team/", views.team, name="team"),
    path(
        "projects/<int:project_pk>/team/<int:member_pk>/remove/",
        views.team_remove,
        name="team_remove",
    ),
    path("projects/<int:project_pk>/kb/", views.pages, name="pages"),
    path("projects/<int:project_pk>/kb/new/", views.page_edit, name="page_create"),
    path("projects/<int:project_pk>/kb/<slug:slug>/", views.page_detail, name="page"),
    path("projects/<int:project_pk>/kb/<slug:slug>/edit/", views.page_edit, name="page_edit"),
    path(
        "projects/<int:project_pk>/kb/<slug:slug>/history/", views.page_history, name="page_history"
    ),
    path(
        "projects/<int:project_pk>/kb/<slug:slug>/history/<int:number>/",
        views.page_revision,
        name="page_revision",
    ),
    path("projects/<int:project_pk>/onboarding/", views.onboarding, name="onboarding"),
    path(
        "projects/<int:project_pk>/onboarding/<int:step_pk>/toggle/",
        views.onboarding_toggle,
        name="onboarding_toggle",
    ),
    path(
        "projects/<int:project_pk>/onboarding/<int:step_pk>/delete/",
        views.onboarding_delete,
        name="onboarding_delete",
    ),
    path("projects/<int:project_pk>/continuity/", views.continuity, name="continuity"),
]
