"""What the summary tells agents, on both engines and both paths (outside test of issue
19, points 6 and 20): a number for SMS only is not one to call, and a resolved case is
not an open one."""

from __future__ import annotations

from types import ModuleType

from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.cases.enums import CaseStatus
from crm_core.consent.service import set_consent
from crm_core.privacy.enums import ConsentPurpose, ConsentSource
from crm_core.summary.service import build_summary, read_summary
from tests.support.clock import city_day


def test_sms_only_means_no_phone_call(db_session: Session, factories: ModuleType) -> None:
    resident = factories.ResidentFactory()
    factories.ContactPointFactory(resident=resident, value="+33649337510",
                                  contact_allowed=True)
    for purpose, granted in ((ConsentPurpose.CONTACT_PHONE, False),
                             (ConsentPurpose.CONTACT_SMS, True)):
        set_consent(db_session=db_session, actor=SYSTEM, resident_id=resident.id,
                    purpose=purpose, granted=granted, source=ConsentSource.RESIDENT)
    for summary in (build_summary(today=city_day(), db_session=db_session, resident_id=resident.id),
                    read_summary(today=city_day(), db_session=db_session, actor=SYSTEM,
                                 resident_id=resident.id)):
        assert [p["contact_ways"] for p in summary["contact_points"]] == [["sms"]]
        assert "no_phone_contact" in summary["flags"]


def test_a_resolved_case_is_not_listed_as_open(
    db_session: Session, factories: ModuleType
) -> None:
    resident = factories.ResidentFactory()
    ongoing = factories.CaseFactory(resident=resident, status=CaseStatus.IN_PROGRESS)
    factories.CaseFactory(resident=resident, status=CaseStatus.RESOLVED)
    factories.CaseFactory(resident=resident, status=CaseStatus.CLOSED)
    db_session.flush()
    for summary in (build_summary(today=city_day(), db_session=db_session, resident_id=resident.id),
                    read_summary(today=city_day(), db_session=db_session, actor=SYSTEM,
                                 resident_id=resident.id)):
        assert [c["reference"] for c in summary["open_cases"]] == [ongoing.reference]
