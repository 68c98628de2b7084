"""The consultant declines a suggestion; operator staff tune the weights and read the rounds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from relais.core.errors import ServiceError
from relais.core.forms import copy_errors, signed_in_user
from relais.matching import access, services
from relais.matching.forms import WeightsForm
from relais.matching.models import WEIGHT_FIELDS, Round
from relais.matching.selectors import current_weights


@login_required
@require_POST
def suggestion_decline(request: HttpRequest, suggestion_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    suggestion = access.suggestion_get_for_consultant(user, suggestion_pk)
    try:
        services.suggestion_decline(consultant=user, suggestion=suggestion)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Suggestion declined: this task will not be offered again."))
    return redirect("site:dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def weights_edit(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    access.require_staff(user)
    current = current_weights()
    initial = {name: getattr(current, name) for name in WEIGHT_FIELDS}
    form = WeightsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.weights_set(staff=user, values=form.cleaned_data)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Weights saved: the next round uses them."))
            return redirect("matching:weights")
    return render(
        request,
        "matching/weights.html",
        {"form": form, "current": current},
        status=400 if form.errors else 200,
    )


@login_required
def rounds(request: HttpRequest) -> HttpResponse:
    access.require_staff(signed_in_user(request))
    page = Paginator(Round.objects.order_by("-requested_at", "-id"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "matching/rounds.html", {"page": page})
