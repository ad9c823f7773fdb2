"""The command line: `parser` (arguments), `wiring` (environment → services, results → exit codes),
`runtime` (the GitHub Actions runner: event file, outputs, summary), `main` (dispatch), and the subcommands
`init`, `demo` and `report`, which `main` imports only when they run. The top layer: it may import anything.
"""
