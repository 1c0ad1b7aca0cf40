from crm_core.space.labels import reason_label


def test_access_log_reasons_in_words() -> None:
    assert reason_label("contact_email=oui") == "être contacté(e) par courriel : oui"
    assert reason_label("identity") == "identité"
    assert reason_label("privacy_request:erasure") == "demande d'effacement (RGPD)"
    assert reason_label("contact_point:update") == "coordonnée modifiée"
    assert reason_label("Appel de l'usager") == "Appel de l'usager"
    assert reason_label(None) == "—"
