"""Cursor pagination: stable under inserts, one query per page whatever its size."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.pagination import CursorPagination

PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 200


class WorkbenchCursorPagination(CursorPagination):
    page_size = PAGE_SIZE_DEFAULT
    page_size_query_param = "page_size"
    max_page_size = PAGE_SIZE_MAX
    ordering = "-id"

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError({self.cursor_query_param: ["Invalid cursor."]}) from None

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and (not raw.isdigit() or int(raw) < 1):
            raise exceptions.ValidationError({self.page_size_query_param: ["A positive whole number."]})
        return super().get_page_size(request)
