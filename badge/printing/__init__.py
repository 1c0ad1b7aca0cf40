"""Receipt and badge printing on ESC/POS thermal printers, with a durable spool.

Typical use in the counter app::

    transport = open_printer(settings.printer_url)          # tcp://, usb://, serial://, file://
    queue = PrintQueue(spool=data_dir / "print-spool.sqlite3", transport=transport)
    report = queue.submit(render_receipt(receipt), label=f"reçu {receipt.case_reference}")
    if report.error:                                         # printer off / out of paper
        show(report.error.message_fr)                        # the job waits in the spool
"""

from badge.printing.documents import (
    CODE_PAGE,
    CODE_PAGE_NUMBER,
    PrintedBadge,
    Receipt,
    printable_text,
    render_badge,
    render_receipt,
)
from badge.printing.queue import FlushReport, JobState, PrintJob, PrintQueue
from badge.printing.transport import (
    EscposTransport,
    MemoryTransport,
    PrinterTransport,
    PrintInterrupted,
    open_printer,
)

__all__ = [
    "CODE_PAGE",
    "CODE_PAGE_NUMBER",
    "EscposTransport",
    "FlushReport",
    "JobState",
    "MemoryTransport",
    "PrintInterrupted",
    "PrintJob",
    "PrintQueue",
    "PrintedBadge",
    "PrinterTransport",
    "Receipt",
    "open_printer",
    "printable_text",
    "render_badge",
    "render_receipt",
]
