"""The command's subcommands beside ``check`` and ``list``: ``derive diff``, ``derive report``.

:mod:`~derive.commands.options` holds the options they share with ``derive check``.
"""
