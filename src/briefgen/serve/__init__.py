"""`briefgen serve`: build, serve on loopback, watch, rebuild and live-reload.

server (the command: temporary output, threads, shutdown) -> session (rebuilds, failures told,
deferred search) + watch (file changes) + http (requests, confinement) -> hosts (Host-header
check) and live (the state pages follow, the livereload.js tag)."""
