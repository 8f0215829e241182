from __future__ import annotations

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from workbench.api import views

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.register("outlets", views.OutletViewSet, basename="outlet")
router.register("articles", views.ArticleViewSet, basename="article")
router.register("jobs", views.TraceJobViewSet, basename="job")
router.register("stories", views.StoryViewSet, basename="story")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("divergences", views.DivergenceViewSet, basename="divergence")
router.register("verdicts", views.VerdictViewSet, basename="verdict")
router.register("webhooks", views.WebhookViewSet, basename="webhook")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("", include(router.urls)),
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not-found"),
]
