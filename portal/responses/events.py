"""What the responses package tells the packages above it, which it never imports.

`submitting` is sent with (consultation, answers=[answer rows]) before a response is stored;
a receiver returns the storing.Flag of each answer to flag with it, written in the response's
own transaction. Safeguarding listens (portal/safeguarding/flagging.py): it sits above
responses, since its flags refer to answers.
"""

from __future__ import annotations

from blinker import Namespace

submitting = Namespace().signal("response-submitting")
