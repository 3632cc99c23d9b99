"""`python -m stance.score`: options checked first (did-you-mean, --help without the registry), then Hydra."""
from stance.cli import guard_command_line
from stance.score.run import main

guard_command_line("score")
main()
