"""The command line: `parser` (arguments), `wiring` (environment → services, results → exit codes),
`runtime` (the GitHub Actions runner: event file, outputs, summary), `workflow_commands` (annotations),
`exit_codes`, `main` (dispatch), and the subcommands `init`, `demo`, `sandbox` and `report`, which `main`
imports only when they run. The top layer: it may import anything.
"""
