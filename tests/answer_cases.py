"""Answers of the wrong kind that every numeric exercise check must name, shared by the lesson test files."""

#: (answer, error, message): a number check given these raises the error with this message.
MALFORMED_ANSWERS = [
    ("0.1", TypeError, r"answer must be a real number, got '0.1' \(str\)"),
    (None, TypeError, r"answer must be a real number, got None"),
    (float("nan"), ValueError, r"answer must be a finite number, got nan"),
]
