"""Celery tasks for sources: the re-verification pass and the re-fetch of one article. Thin and idempotent."""

from __future__ import annotations

from celery import shared_task

from workbench.core.fetch import FetchUnavailable
from workbench.core.tasks import RETRY_BACKOFF, task_log
from workbench.provenance.services import article_reverify, stories_with_pending_retrace
from workbench.provenance.tasks import retrace_story
from workbench.sources.models import Article
from workbench.sources.services import articles_due_for_refetch

REFETCH_MAX_RETRIES = 3


@shared_task(name="sources.reverify_due", ignore_result=True)
def reverify_due() -> dict:
    """Beat: send one reverify_article per tracked article that is due, and finish re-traces a dead worker left."""
    with task_log("sources.reverify_due") as log:
        due = articles_due_for_refetch()
        for article in due:
            reverify_article.delay(article.pk)
        pending = stories_with_pending_retrace()
        for story in pending:
            retrace_story.delay(story.pk, "finishing an interrupted re-trace")
        log.update(articles=len(due), pending_retraces=len(pending))
        return {"articles": len(due), "pending_retraces": len(pending)}


@shared_task(
    bind=True,
    name="sources.reverify_article",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=REFETCH_MAX_RETRIES,
    autoretry_for=(FetchUnavailable,),
    **RETRY_BACKOFF,
    ignore_result=True,
)
def reverify_article(self, article_id: int) -> str:
    """Re-fetch one article; on a change, re-trace its story and mark affected verdicts stale.

    Network errors are retried with exponential backoff and jitter (bounded); a refused URL or a bad page is
    recorded on the article and not retried.
    """
    with task_log("sources.reverify_article", article=article_id) as log:
        article = Article.objects.filter(pk=article_id).select_related("outlet").first()
        if article is None:
            log["outcome"] = "gone"
            return "gone"
        try:
            outcome = article_reverify(article=article)
        except FetchUnavailable:
            if not self.request.is_eager and self.request.retries < REFETCH_MAX_RETRIES:
                raise  # autoretry_for retries it, with backoff
            log["outcome"] = "unavailable"
            return "unavailable"
        if outcome.error:
            log["outcome"] = "failed"
            return "failed"
        log["outcome"] = "changed" if outcome.changed else "unchanged"
        if outcome.retrace:
            log.update(moved=outcome.retrace.verdicts_moved, stale=outcome.retrace.verdicts_marked_stale)
        return log["outcome"]
