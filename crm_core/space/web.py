"""Rendering and guarding the space's pages: the session of the request, its CSRF token,
French error pages, and every refusal written to the security log."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.types import Scope

from crm_core.cases.reference import format_reference
from crm_core.config import Settings
from crm_core.space import labels
from crm_core.space.rights import MAX_MESSAGE
from crm_core.space.sessions import COOKIE, SignedIn, read_session
from crm_core.web.security import csrf_token, csrf_valid, security_log

PREFIX = "/espace"
# The space's longest field is the rights request's text (MAX_MESSAGE characters). Sent
# form-encoded, a character is up to 4 bytes of UTF-8, each written "%XX": 12 bytes.
FORM_MAX_BYTES = 12 * MAX_MESSAGE + 4096
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals.update(labels=labels, label=labels.label, local_date=labels.local_date,
                             reason=labels.reason_label, i_accept=labels.i_accept,
                             contact_value=labels.contact_value, ways_text=labels.ways_text,
                             reference=format_reference)

# Messages shown after a change (Post/Redirect/Get): codes in the URL, never free text.
DONE = {
    "badge": "Un nouveau code QR a été émis ; les codes QR affichés avant ne fonctionnent"
             " plus.",
    "badge-deja": "Ce formulaire avait déjà été envoyé : un seul nouveau code QR a été émis."
                  " S'il ne s'affiche pas ci-dessous, demandez-en un nouveau.",
    "choix": "Vos choix sont enregistrés.",
    "rappels": "Vos rappels sont enregistrés.",
    "coordonnee": "Votre coordonnée est mise à jour.",
    "suppression": "La coordonnée est supprimée.",
    "deja-supprimee": "Cette coordonnée n'est plus dans votre dossier (déjà supprimée) :"
                      " il n'y avait rien d'autre à faire.",
    "demande": "Votre demande est enregistrée : un agent la traitera et vous répondra.",
    "rattache": "Votre compte en ligne est rattaché à votre dossier.",
    "session-finie": "Votre session a pris fin : ce que vous veniez d'envoyer n'a pas été"
                     " enregistré. Connectez-vous puis recommencez.",
    "deconnexion": "Vous êtes déconnecté(e). À bientôt. Pensez à fermer le navigateur sur un"
                   " ordinateur partagé.",
}


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def current(request: Request, db_session: Session) -> SignedIn | None:
    return read_session(db_session=db_session, token=request.cookies.get(COOKIE))


def csrf_for(request: Request, who: SignedIn | None) -> str:
    if who is None:
        return ""
    return csrf_token(settings_of(request).secret_key.get_secret_value(), who.session_id)


def render(request: Request, template: str, *, who: SignedIn | None, title: str,
           status_code: int = 200, **context: Any) -> Response:
    settings = settings_of(request)
    done = request.query_params.get("fait")
    return templates.TemplateResponse(request, template, {
        "who": who, "title": title, "city": settings.city_name,
        "csrf": csrf_for(request, who), "flash": DONE.get(done or ""), "flash_code": done,
        "tz": settings.timezone, "when": lambda value: labels.local_datetime(
            value, settings.timezone),
        "log_kept": labels.kept_for(settings.audit_retention_days), **context,
    }, status_code=status_code)


def to_sign_in(request: Request) -> Response:
    """The sign-in page; for a form that arrived without a live session, a notice that
    it was not recorded (a flag in the address: nothing of the form)."""
    notice = "" if request.method in ("GET", "HEAD") else "?fait=session-finie"
    return RedirectResponse(f"{PREFIX}/connexion{notice}", status_code=303)


def done(path: str, code: str) -> Response:
    return RedirectResponse(f"{PREFIX}{path}?fait={code}", status_code=303)


def refusal(request: Request, who: SignedIn | None, *, status_code: int, title: str,
            message: str, log: str) -> Response:
    security_log.warning("resident space refused %s %s (%s): %s", request.method,
                         request.url.path, status_code, log)
    return render(request, "message.html", who=who, title=title, message=message,
                  status_code=status_code)


def not_found(request: Request, who: SignedIn | None, what: str) -> Response:
    return refusal(request, who, status_code=404, title="Page introuvable",
                   message="Cette page n'existe pas, ou ne concerne pas votre dossier.",
                   log=f"{what} not in the signed-in resident's file")


def check_csrf(request: Request, who: SignedIn, submitted: str | None) -> Response | None:
    secret = settings_of(request).secret_key.get_secret_value()
    if csrf_valid(secret, who.session_id, submitted):
        return None
    return refusal(request, who, status_code=403, title="Formulaire expiré",
                   message="Ce formulaire n'est plus valable (il a expiré ou ne vient pas"
                           " de cette page). Rien n'a été enregistré : rechargez la page et"
                           " recommencez.", log="missing or wrong CSRF token")


def limit_page(scope: Scope, status_code: int, title: str, message: str) -> Response:
    """A refusal made before the page is reached (a body too large, a NUL in the
    address), as a French page in the layout of the page that was asked for."""
    if not scope["path"].startswith(PREFIX + "/"):  # the opt-out page has its own
        from crm_core.reminders.router import html_page

        return html_page(title, f"<p>{escape(message)}</p>", status_code=status_code)
    request = Request(scope)
    back, back_text = way_back(request)
    return render(request, "message.html", who=None, title=title, message=message,
                  back=back, back_text=back_text, status_code=status_code)


def way_back(request: Request) -> tuple[str, str]:
    """Where a refusal made before the session is read leads: a resident with a session
    goes back to the page they sent the form from (or their space's home), not to the
    sign-in page; the page itself asks to sign in again if the session has ended."""
    if COOKIE not in request.cookies:
        return f"{PREFIX}/connexion", "Revenir à mon espace"
    referer = urlsplit(request.headers.get("referer", ""))
    same_site = referer.netloc in ("", request.headers.get("host", ""))
    if same_site and referer.path.startswith(PREFIX + "/") and "//" not in referer.path:
        return referer.path, "Revenir à la page"
    return f"{PREFIX}/", "Revenir à mon espace"


FORM_TAMPERED = ("Ce formulaire n'est pas celui de la page (une réponse envoyée deux fois,"
                 " ou un champ qu'elle ne contient pas) : rechargez la page et recommencez.")


def form_problem(form: FormData, *, fields: Collection[str],
                 repeatable: Collection[str] = ()) -> str | None:
    """A form as its page sends it, or why not (French): each field at most once but the
    repeatable ones (ticked boxes), no other field. A second value is never chosen for
    the resident — frameworks keep the first or the last, silently."""
    counts = Counter(key for key, _ in form.multi_items())
    if any(key not in fields and key not in repeatable for key in counts):
        return FORM_TAMPERED
    if any(count > 1 and key not in repeatable for key, count in counts.items()):
        return FORM_TAMPERED
    return None


def form_fields(*fields: str) -> Any:
    """The dependency `Annotated[str | None, form_fields("csrf", …)]` of a page whose form
    FastAPI reads into parameters: the form's problem (`form_problem`), or None."""

    async def problem(request: Request) -> str | None:
        return form_problem(await request.form(), fields=fields)

    return Depends(problem)


def invalid(request: Request, who: SignedIn | None, message: str) -> Response:
    return refusal(request, who, status_code=400, title="Saisie à corriger",
                   message=message + " Rien n'a été enregistré.", log=message)
