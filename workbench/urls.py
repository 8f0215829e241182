from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "Provenance workbench"
admin.site.site_title = "Provenance workbench"
admin.site.index_title = "Sources, claims, provenance and verdicts"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
]
