"""The addresses and value kinds the guide serves; contracts name them to say what their results feed."""

from __future__ import annotations

SCHEME = "iletimerkezi://"
SENDING_RULES = f"{SCHEME}rules/sending"
IYS_RULES = f"{SCHEME}rules/iys"
ERROR_CODES = f"{SCHEME}errors"
MANIFEST = f"{SCHEME}manifest"
ACCOUNT = f"{SCHEME}account"
ORDER = f"{SCHEME}orders/{{id}}"  # a template: {id} is an order id

# Kinds of argument values that completions can offer.
SENDER = "sender"
ORDER_ID = "order id"
