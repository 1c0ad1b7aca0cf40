"""The forms the desk opens on a call: log it, link its number to the file, plan a
call-back; each one sent, or kept on this desk when the server is away, and opened again
with the server's reason when it refused it (F7)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from textual.screen import Screen

from crm_core.client.errors import ClientError
from crm_core.client.tui.message_line import MessageLine
from crm_core.client.types import CallLog, ResidentSummary
from phone_desk.host import DeskHost
from phone_desk.journal import DeskItem, ItemKind
from phone_desk.keeping import server_away, session_expired
from phone_desk.messages import FileChanged, ListsChanged, LoadServices


def calls_refused(summary: Mapping[str, Any] | None, phone: str) -> bool:
    """The open file says the mairie may not call this number (docs/consent.md)."""
    if not summary:
        return False  # nobody identified: nothing known to refuse
    point = next((p for p in summary.get("contact_points", []) if p.get("value") == phone),
                 None)
    if point is not None:
        return "call" not in (point.get("contact_ways") or [])
    return "no_phone_contact" in (summary.get("flags") or [])


class CallForms(Screen[None]):
    """Base of the desk screen: what it does on the call it shows (`call`, `summary`)."""

    call: dict[str, Any] | None
    summary: ResidentSummary | None

    @property
    def desk(self) -> DeskHost:
        assert isinstance(self.app, DeskHost)
        return self.app

    def say(self, text: str, *, error: bool = False) -> None:
        self.query_one(MessageLine).say(text, error=error)

    # -- actions on the call ----------------------------------------------------------

    def action_log_call(self) -> None:
        if self.call is None:
            self.say("Aucun appel à enregistrer.", error=True)
            return
        if self.summary is None:
            self.say("Ouvrez d'abord le dossier de l'usager (F3 pour chercher).", error=True)
            return
        # The call and the file as the form opens: another call may ring before it closes.
        call_id, resident_id = self.call["id"], self.summary["resident"]["id"]
        self._open_log_form(call_id, resident_id, self.summary.get("open_cases", []))
        self.app.post_message(LoadServices())  # the list shown now, then today's if it changed

    def _open_log_form(self, call_id: str, resident_id: str,
                       open_cases: Sequence[Mapping[str, Any]], *,
                       typed: dict[str, Any] | None = None, refusal: str = "",
                       replacing: DeskItem | None = None,
                       draft: dict[str, Any] | None = None) -> None:
        from phone_desk.screens.log_call import LogCallScreen

        form = LogCallScreen(open_cases, self.desk.services, typed=typed, refusal=refusal,
                             draft=draft)
        # The session ends elsewhere while it is typed: the same form, on the next desk.
        form.reopen = lambda desk, fields: desk._open_log_form(
            call_id, resident_id, open_cases, typed=typed, refusal=refusal,
            replacing=replacing, draft=fields)
        self.app.push_screen(form, lambda answer: self._log_call(
            call_id, resident_id, answer, replacing=replacing))

    def fix_refused_call_log(self, item: DeskItem) -> None:
        """F7, C: a kept call log the server refused, back in its form with the reason; it
        replaces the refused one once sent (or kept again)."""
        payload = item.payload
        self._open_log_form(str(payload["call"]), str(payload["resident_id"]), [],
                            typed=payload, replacing=item,
                            refusal=f"Refusé par le serveur : {item.error or 'motif inconnu'}")

    def _drop_refused(self, replacing: DeskItem | None) -> None:
        """The corrected one is sent or kept: the refused one it replaces goes."""
        if replacing is not None:
            self.desk.journal.discard(replacing.id, agent=replacing.agent)
            self.desk.keeper.refresh_count()

    def _log_call(self, call_id: str, resident_id: str, form: dict[str, Any] | None, *,
                  replacing: DeskItem | None = None) -> None:
        if not form:
            return

        def replaced() -> None:
            self._drop_refused(replacing)

        def done(result: CallLog) -> None:
            replaced()
            reference = result["case_reference"]
            self.say("Appel enregistré" + (f" (demande {reference})." if reference else "."))
            self.post_message(FileChanged())
            self.post_message(ListsChanged())

        def failed(exc: ClientError) -> None:
            # Kept on this desk, sent once the server is back or the agent signed in again.
            if server_away(exc) or session_expired(exc):
                replaced()
                self.desk.keeper.keep(ItemKind.CALL_LOG,
                                      {"call": call_id, "resident_id": resident_id, **form},
                                      quiet=session_expired(exc))
            elif replacing is not None:  # refused again: back in its form, with why
                self._open_log_form(call_id, resident_id, [], typed=form,
                                    refusal=exc.message, replacing=replacing)
            else:
                self.say(exc.message, error=True)

        self.desk.call_server(
            lambda: self.desk.client.log_call(call_id, resident_id=resident_id, **form), done,
            failed=failed, group="log", exclusive=True, keep_on_expiry=True,
        )

    def action_link_number(self) -> None:
        from phone_desk.screens.link_number import LinkNumberScreen

        number = (self.call or {}).get("remote_number")
        if not number or self.summary is None:
            self.say("Il faut un appel avec un numéro et un dossier ouvert.", error=True)
            return
        resident = self.summary["resident"]
        # This call's number to this file, as asked: never to the next caller's file.
        resident_id = str(resident["id"])
        self.app.push_screen(
            LinkNumberScreen(self.call["remote_display"] if self.call else number,
                             f"{resident['given_name']} {resident['family_name']}"),
            lambda answer: self._link(number, resident_id, answer),
        )

    def _link(self, number: str, resident_id: str, answer: dict[str, Any] | None) -> None:
        if not answer:
            return

        def done(_: object) -> None:
            self.say("Numéro rattaché au dossier.")
            self.post_message(FileChanged())

        def failed(exc: ClientError) -> None:
            self.say(exc.message, error=True)

        self.desk.call_server(
            lambda: self.desk.client.add_contact_point(
                resident_id, kind="phone", value=number, channel="phone",
                contact_allowed=bool(answer.get("contact_allowed")),
            ), done, failed=failed,
        )

    def action_new_callback(self) -> None:
        points = self.summary["contact_points"] if self.summary else []
        phone = (self.call or {}).get("remote_number") or ""
        if not phone:  # a number the resident may be called on, never an SMS-only one
            callable_ = [p for p in points if "call" in (p.get("contact_ways") or [])]
            phone = callable_[0]["value"] if callable_ else ""
        resident_id = self.summary["resident"]["id"] if self.summary else None
        call_id = self.call["id"] if self.call else None
        self._open_callback_form(resident_id, call_id, phone,
                                 refused=calls_refused(self.summary, phone))

    def fix_refused_callback(self, item: DeskItem) -> None:
        """F7: a kept call-back the server refused, back in its form with the reason; it
        replaces the refused one once sent (or kept again)."""
        payload = item.payload
        typed = {**payload, "due_at": datetime.fromisoformat(str(payload["due_at"]))}
        self._open_callback_form(
            payload.get("resident_id"), payload.get("call"), str(payload.get("phone") or ""),
            refused=bool(payload.get("requested_by_resident")), typed=typed,
            reason=f"Refusé par le serveur : {item.error or 'motif inconnu'}",
            replacing=item)

    def _open_callback_form(self, resident_id: str | None, call_id: str | None, phone: str,
                            *, refused: bool, typed: dict[str, Any] | None = None,
                            reason: str = "", replacing: DeskItem | None = None,
                            draft: dict[str, Any] | None = None) -> None:
        from phone_desk.screens.callback import CallbackScreen

        form = CallbackScreen(phone, city=self.desk.city, calls_refused=refused, typed=typed,
                              refusal=reason, draft=draft)
        # The session ends elsewhere while it is typed: the same form, on the next desk.
        form.reopen = lambda desk, fields: desk._open_callback_form(
            resident_id, call_id, phone, refused=refused, typed=typed, reason=reason,
            replacing=replacing, draft=fields)
        self.app.push_screen(form, lambda answer: self._create_callback(
            resident_id, call_id, answer, refused=refused, replacing=replacing))

    def _create_callback(self, resident_id: str | None, call_id: str | None,
                         form: dict[str, Any] | None, *, refused: bool = False,
                         replacing: DeskItem | None = None) -> None:
        if not form:
            return

        def replaced() -> None:
            self._drop_refused(replacing)

        def done(_: object) -> None:
            replaced()
            self.say("Rappel prévu.")
            self.post_message(ListsChanged())

        def failed(exc: ClientError) -> None:
            # Kept on this desk, sent once the server is back or the agent signed in again.
            if server_away(exc) or session_expired(exc):
                replaced()
                self.desk.keeper.keep(ItemKind.CALLBACK, {
                    "resident_id": resident_id, "call": call_id, **form,
                    "due_at": form["due_at"].isoformat()}, quiet=session_expired(exc))
                return
            # Refused after the form closed: it opens again with what was typed and why.
            self._open_callback_form(resident_id, call_id, str(form["phone"]),
                                     refused=refused, typed=form, reason=exc.message,
                                     replacing=replacing)

        self.desk.call_server(
            lambda: self.desk.client.create_callback(resident_id=resident_id, call=call_id,
                                                     **form), done, failed=failed,
            keep_on_expiry=True,
        )
