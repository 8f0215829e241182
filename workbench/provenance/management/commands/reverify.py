from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from workbench.core.fetch import FetchUnavailable
from workbench.core.progress import progress
from workbench.provenance.services import article_reverify, stories_with_pending_retrace, story_retrace
from workbench.sources.models import Article
from workbench.sources.services import articles_due_for_refetch


class Command(BaseCommand):
    help = (
        "Run one re-verification pass now, in this process: re-fetch the tracked articles that are due (or all of "
        "them with --all, or the ones named with --article), re-trace the stories whose articles changed, mark the "
        "affected verdicts stale, and finish any re-trace a dead worker left pending."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every tracked article, due or not")
        parser.add_argument("--article", type=int, action="append", default=[], metavar="ID", help="only this article")

    def handle(self, *args, **options):
        if options["article"]:
            articles = list(Article.objects.filter(pk__in=options["article"]).order_by("pk"))
            missing = set(options["article"]) - {a.pk for a in articles}
            if missing:
                raise CommandError(f"no article with id {', '.join(map(str, sorted(missing)))}")
        elif options["all"]:
            articles = list(Article.objects.filter(tracking=True).exclude(canonical_url="").order_by("pk"))
        else:
            articles = articles_due_for_refetch()
        changed = failed = stale = 0
        with progress(self.stderr, "re-verify", total=len(articles)) as bar:
            for article in bar.track(articles):
                try:
                    outcome = article_reverify(article=article)
                except FetchUnavailable as exc:
                    failed += 1
                    bar.write(
                        self.stderr, f"error: article {article.pk} {article.canonical_url}: {exc} (will be retried)"
                    )
                    continue
                if outcome.error:
                    failed += 1
                    bar.write(self.stderr, f"error: article {article.pk} {article.canonical_url}: {outcome.error}")
                    continue
                changed += outcome.changed
                what = "changed" if outcome.changed else "unchanged"
                if outcome.retrace:
                    stale += outcome.retrace.verdicts_marked_stale
                    what += (
                        f", story {outcome.retrace.retrace.story_id} re-traced: "
                        f"{outcome.retrace.verdicts_marked_stale} verdicts marked stale, "
                        f"{outcome.retrace.verdicts_moved} moved"
                    )
                bar.write(self.stdout, f"article {article.pk} {article.canonical_url}: {what}")
        pending = stories_with_pending_retrace()
        if pending:
            with progress(self.stderr, "finish re-traces", total=len(pending)) as bar:
                for story in bar.track(pending):
                    outcome = story_retrace(story=story, trigger="finishing an interrupted re-trace")
                    stale += outcome.verdicts_marked_stale
                    bar.write(
                        self.stdout,
                        f"story {story.pk}: interrupted re-trace finished, {outcome.verdicts_marked_stale} stale",
                    )
        self.stdout.write(
            f"{len(articles)} articles re-fetched: {changed} changed, {failed} failed; {stale} verdicts marked stale"
        )
