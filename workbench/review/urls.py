from __future__ import annotations

from django.urls import path

from workbench.review import views

app_name = "review"

urlpatterns = [
    path("verdicts/<int:pk>/", views.verdict_page, name="verdict"),
    path("verdicts/<int:pk>/claimreview.json", views.claimreview_json, name="claimreview"),
]
