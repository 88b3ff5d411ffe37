"""The knowledge base's pages: the list with its search, an article, its edit form and
retire button, and publishing a solved ticket from its page."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from campus.extensions import db
from campus.formhelpers import form_status
from campus.knowledge.forms import AUDIENCE_LABELS, ArticleForm, ButtonForm
from campus.knowledge.search import MAX_LIMIT, search_articles
from campus.knowledge.services import (
    create_article,
    record_use,
    retire_article,
    update_article,
)
from campus.models import Article, ArticleStatus, ArticleUse, Category, Ticket, article_tickets
from campus.permissions import (
    article_audiences,
    can_edit_articles,
    can_publish_from,
    can_read_article,
    visible_articles,
    visible_tickets,
)
from campus.unit_of_work import work

bp = Blueprint("knowledge", __name__, url_prefix="/articles")

PUBLISH_PREFIX = "article"  # the publish form's fields on the ticket page


@bp.route("/")
@login_required
def index():
    audiences = article_audiences(current_user)
    if not audiences:
        abort(404)
    words = request.args.get("q", "").strip()[:200]
    category = request.args.get("category", "")
    category = category if category in set(Category) else ""
    audience = request.args.get("audience", "")
    if audience in audiences:
        audiences = frozenset({audience})
    else:
        audience = ""
    if words:
        found = search_articles(
            words, audiences=audiences, category=category or None, limit=MAX_LIMIT
        )
        articles = [a for a, _score in found if not category or a.category == category]
    else:
        query = visible_articles(current_user, select(Article)).where(
            Article.status == ArticleStatus.ACTIVE, Article.audience.in_(sorted(audiences))
        )
        if category:
            query = query.where(Article.category == category)
        query = query.order_by(Article.created_at.desc(), Article.id.desc()).limit(MAX_LIMIT)
        articles = list(db.session.scalars(query))
    return render_template(
        "knowledge/index.html",
        articles=articles,
        words=words,
        category=category,
        audience=audience,
        audience_labels=AUDIENCE_LABELS if len(article_audiences(current_user)) > 1 else {},
        limit=MAX_LIMIT,
    )


def article_or_404(article_id: int) -> Article:
    """The article, if the current user may read it; 404 otherwise."""
    article = db.session.get(Article, article_id)
    if article is None or not can_read_article(current_user, article):
        abort(404)
    return article


def article_to_edit(article_id: int) -> Article:
    article = article_or_404(article_id)
    if not can_edit_articles(current_user):
        abort(403)
    return article


def _uses(article: Article) -> dict[tuple[str, int], int]:
    rows = db.session.execute(
        select(ArticleUse.kind, ArticleUse.level, func.count())
        .where(ArticleUse.article_id == article.id)
        .group_by(ArticleUse.kind, ArticleUse.level)
    )
    return {(str(kind), level): n for kind, level, n in rows}


@bp.route("/<int:article_id>")
@login_required
def detail(article_id: int):
    article = article_or_404(article_id)
    sources = visible_tickets(
        current_user,
        select(Ticket)
        .join(article_tickets, article_tickets.c.ticket_id == Ticket.id)
        .where(article_tickets.c.article_id == article.id)
        .order_by(Ticket.id),
    )
    return render_template(
        "knowledge/detail.html",
        article=article,
        tickets=list(db.session.scalars(sources)),
        uses=_uses(article),
        can_edit=can_edit_articles(current_user),
        retire_form=ButtonForm(),
        audience_labels=AUDIENCE_LABELS,
    )


@bp.route("/<int:article_id>/edit", methods=["GET", "POST"])
@login_required
def edit(article_id: int):
    article = article_to_edit(article_id)
    form = ArticleForm(obj=article)
    if request.method == "GET":
        form.version.data = str(article.version)
    if form.validate_on_submit():
        read = request.form.get("version", "")  # as posted: obj= would fill in the current one
        with work(form) as attempt:
            update_article(
                current_user,
                article,
                # No readable version: taken as an old one (refused, input kept).
                version=int(read) if (read or "").isdigit() and len(read) < 10 else -1,
                **form.values(),
            )
        if attempt.ok:
            flash(_("Article saved."), "success")
            return redirect(url_for("knowledge.detail", article_id=article.id))
        # Input kept; the next save knowingly replaces what the other person saved.
        form.version.data = str(db.session.get(Article, article_id).version)
    return render_template("knowledge/form.html", form=form, article=article), form_status(form)


@bp.route("/<int:article_id>/retire", methods=["POST"])
@login_required
def retire(article_id: int):
    article = article_to_edit(article_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    with work():
        retire_article(current_user, article)
    flash(_("The article was retired; it is no longer suggested."), "success")
    return redirect(url_for("knowledge.detail", article_id=article.id))


@bp.route("/<int:article_id>/used-on/<int:ticket_id>", methods=["POST"])
@login_required
def used_on(article_id: int, ticket_id: int):
    """'Hat geholfen' on a ticket page: the article was used on the ticket (counted once)."""
    from campus.tickets.routes import _visible_ticket_or_404

    ticket = _visible_ticket_or_404(ticket_id)
    article = article_or_404(article_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    with work():  # a refusal (the ticket is not one's own to work) answers as a page
        record_use(current_user, article, ticket=ticket)
    flash(_("Noted: the article helped with this ticket."), "success")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id, _anchor="articles-h"))


def publish_form(ticket: Ticket, posted: bool = False) -> ArticleForm | None:
    """The ticket page's "publish as an article" form, prefilled; None where it is not
    offered."""
    from campus.knowledge.drafts import draft_from

    if not can_publish_from(current_user, ticket):
        return None
    if posted:
        return ArticleForm(prefix=PUBLISH_PREFIX)
    return ArticleForm(prefix=PUBLISH_PREFIX, formdata=None, data=draft_from(ticket))


@bp.route("/from-ticket/<int:ticket_id>", methods=["POST"])
@login_required
def publish(ticket_id: int):
    from campus.tickets.routes import _render_ticket, _visible_ticket_or_404

    ticket = _visible_ticket_or_404(ticket_id)
    form = publish_form(ticket, posted=True)
    if form is None:
        abort(403)
    if form.validate_on_submit():
        with work(form) as attempt:
            article = create_article(current_user, ticket, **form.values())
        if attempt.ok:
            flash(_("The solution was published as an article."), "success")
            return redirect(url_for("knowledge.detail", article_id=article.id))
        ticket = _visible_ticket_or_404(ticket_id)
    return _render_ticket(ticket, publish=form, status=422)
