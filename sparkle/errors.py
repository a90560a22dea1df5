"""Errors that a command reports to the user as one line (no traceback) with a non-zero exit."""


class UserError(Exception):
    """Bad input or a precondition a user can fix; the message names the file, row and field."""
