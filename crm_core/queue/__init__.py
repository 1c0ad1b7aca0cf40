"""Queue tickets at the counters: issued, called, served — the waiting-time figures."""
