from crm_core.space.labels import i_accept, reason_label


def test_access_log_reasons_in_words() -> None:
    assert reason_label("contact_email=oui") == "être contacté(e) par courriel : oui"
    assert reason_label("identity") == "identité"
    assert reason_label("privacy_request:erasure") == "demande d'effacement (RGPD)"
    assert reason_label("contact_point:update") == "coordonnée modifiée"
    assert reason_label("Appel de l'usager") == "Appel de l'usager"
    assert reason_label(None) == "—"


def test_french_elision() -> None:
    assert i_accept("être contacté(e) par courriel") == "J'accepte d'être contacté(e) par courriel"
    assert i_accept("recevoir des SMS") == "J'accepte de recevoir des SMS"
