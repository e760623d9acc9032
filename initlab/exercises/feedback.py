"""How a check answers a student: a tick, a note that nothing was answered yet, or one short message.

Every ``check_*`` function of ``initlab.exercises`` is wrapped by ``judged``:

- right: it prints "✓ Correct: ..." and returns True;
- not answered yet (the answer is still ``...``, as in the student edition): it
  prints what to do and returns None, so that Run All goes on;
- wrong: it raises ``NotYet``, whose message says what the mistake looks like.
  The cell counts as failed (so CI catches a wrong worked solution), but Jupyter
  shows only the message, not a traceback (IPython's ``_render_traceback_``).
"""

from __future__ import annotations

import contextlib
import functools
import io

__all__ = ["NotYet", "judged", "NOT_ANSWERED"]

NOT_ANSWERED = "… Not answered yet: replace the ... with your answer and run the cell again (or read on)."


class NotYet(AssertionError):
    """A wrong answer to an exercise; its message says what the mistake looks like."""

    def _render_traceback_(self):  # IPython shows these lines instead of a traceback
        return [str(self)]


def judged(check):
    """Turn a check that prints its verdict and returns True/False into one that raises ``NotYet``."""

    @functools.wraps(check)
    def run(answer, *args, **kwargs):
        if answer is Ellipsis:
            print(NOT_ANSWERED)
            return None
        said = io.StringIO()
        with contextlib.redirect_stdout(said):
            right = check(answer, *args, **kwargs)
        if right:
            print(said.getvalue().rstrip())
            return True
        raise NotYet(said.getvalue().rstrip())

    return run
