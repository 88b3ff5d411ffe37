"""A mail to the person whose account was just linked with a school account: if it was not
her, someone who had her session now signs in as her, and she should say so."""

from flask import render_template
from flask_babel import gettext as _

from campus.formats import in_language
from campus.mail import sending
from campus.models import User
from campus.sso.providers import Provider
from campus.urls import external_url


def write_link_notice(user: User, provider: Provider) -> None:
    with in_language(user.locale):
        context = {
            "reader": user,
            "provider": provider.label,
            "link": external_url("sso.profile"),
        }
        subject = _("Your Campus account was linked with a school account")
        text = render_template("mail/sso_linked.txt", **context)
        html = render_template("mail/sso_linked.html", **context)
    sending.write(
        kind="sso_linked", to=user.email, subject=subject, text=text, html=html, user_id=user.id
    )
