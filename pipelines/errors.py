"""The two ways a command ends badly, as the CLI reports them (SPEC §6 exit statuses)."""


class CutoverError(Exception):
    """A configuration or input mistake: one sentence naming what to fix. Exit status 1."""


class GateFailed(CutoverError):
    """A blocking gate failed, or a cutover was refused. Exit status 3."""
