"""The counter app's own widgets; those shared with the phone desk are in
`crm_core.client.tui`."""
