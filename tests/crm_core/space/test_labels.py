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


def test_every_access_log_operation_has_french_words() -> None:
    # From the enum (the access log's CHECK takes exactly its values): a new operation
    # without words here would show its raw code in "Qui a consulté mon dossier".
    from crm_core.privacy.enums import AccessOperation
    from crm_core.space.labels import OPERATIONS

    missing = [op.value for op in AccessOperation if op.value not in OPERATIONS]
    assert missing == []
    assert all(OPERATIONS[op.value] != op.value for op in AccessOperation)



def test_every_channel_has_french_words() -> None:
    from crm_core.channels import Channel
    from crm_core.space.labels import CHANNELS

    assert [c.value for c in Channel if c.value not in CHANNELS] == []
    assert CHANNELS["sms"] == "par SMS"  # a text reminder, no phone call
