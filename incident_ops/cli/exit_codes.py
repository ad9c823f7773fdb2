"""The exit codes of every subcommand, in one place."""

OK = 0  # done (warnings included: a dropped cache, a chat message to retry)
PROBLEM = 1  # the input is wrong: a config mistake, an incomplete report
USAGE = 2  # the command line or the runner's environment is wrong
GITHUB_FAILED = 3  # GitHub or an incident could not be served; rerunning is safe
