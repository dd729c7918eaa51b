"""Ray: the connection and warm workers, single-trial tasks, Tune searches, data-parallel Train, the code
that runs inside a trial, and checkpoints."""
