"""A resident's file read whole (the "360" summary, the timeline): it reads the register,
cases, badges, exchanges and consents, so it stands above them all, not in `residents/`."""
