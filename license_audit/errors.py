"""Errors that end a command with exit code 2 and one line on stderr (CONTRACT: exit codes)."""


class AuditError(Exception):
    """Base class: the message is shown to the user as a single line."""


class TargetError(AuditError):
    """The target cannot be read: missing folder, unreachable Hub repo, bad revision."""


class InputError(AuditError):
    """A file given to the tool (policy, rules folder, template) is unusable."""
