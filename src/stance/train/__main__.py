"""`python -m stance.train`: options checked first (did-you-mean, --help without the registry), then Hydra."""
from stance.cli import guard_command_line
from stance.train.run import main

guard_command_line("train")
main()
