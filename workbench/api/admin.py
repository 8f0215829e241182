from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from workbench.api import services
from workbench.api.models import ApiEvent, ApiToken, Scope, Webhook, WebhookDelivery
from workbench.api.permissions import scopes_beyond_role


class ApiTokenCreateForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple, initial=[Scope.READ])

    class Meta:
        model = ApiToken
        fields = ["user", "name", "scopes"]

    def clean(self):
        cleaned = super().clean()
        user = cleaned.get("user")
        refusal = scopes_beyond_role(user, cleaned.get("scopes") or []) if user is not None else ""
        if refusal:
            self.add_error("scopes", refusal)
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created here (the key is shown once, in the confirmation message) and revoked, never edited."""

    list_display = ["name", "prefix", "user", "scopes", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = ["user", "name", "prefix", "scopes", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenCreateForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        return ["user", "name", "scopes"] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = services.api_token_create(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            by=request.user,
        )
        obj.pk = created.token.pk
        obj.__dict__.update({k: v for k, v in created.token.__dict__.items() if not k.startswith("_")})
        self.message_user(
            request,
            format_html("Token created. Copy the key now; it will not be shown again: <code>{}</code>", created.key),
            messages.WARNING,
        )

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(token=token, by=request.user)
        self.message_user(request, f"Revoked {queryset.count()} token(s).")


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["url", "owner", "events", "is_active", "created_at"]
    list_filter = ["is_active"]
    list_select_related = ["owner"]
    search_fields = ["url", "owner__username"]
    readonly_fields = ["owner", "token", "url", "events", "stories", "created_at", "updated_at"]
    fields = ["owner", "token", "url", "events", "stories", "is_active", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "webhook", "state", "attempts", "last_status_code", "created_at", "delivered_at"]
    list_filter = ["state", "event"]
    list_select_related = ["webhook"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiEvent)
class ApiEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "target", "actor"]
    list_filter = ["action"]
    list_select_related = ["actor"]
    readonly_fields = ["at", "action", "target", "actor", "extra"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
