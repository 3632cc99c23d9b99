"""`python -m stance.evaluate`: options checked first (did-you-mean, --help without the registry), then Hydra."""
from stance.cli import guard_command_line
from stance.evaluate.run import main

guard_command_line("evaluate")
main()
