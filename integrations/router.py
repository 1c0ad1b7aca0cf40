"""All connector routes, mounted once by the server through the plugin
(`integrations.plugin`)."""

from fastapi import APIRouter

from integrations.account.router import router as account_router
from integrations.connectors.ds.router import router as ds_router
from integrations.connectors.open311.router import router as open311_router
from integrations.connectors.wcs.router import router as wcs_router
from integrations.inbound.router import router as inbound_router
from integrations.reviews import router as reviews_router

router = APIRouter()
router.include_router(inbound_router)
router.include_router(wcs_router)
router.include_router(ds_router)
router.include_router(open311_router)
router.include_router(account_router)
router.include_router(reviews_router)
