"""Social-media takedowns: accounts attributed to prisoners, requests to platforms tracked
like orders (DRAFTED -> SENT -> ACKNOWLEDGED -> REMOVED | REFUSED), and the alert when a
prisoner whose account was taken down appears behind a new one."""
