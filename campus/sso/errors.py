"""Why a sign-in through a provider did not happen."""

from campus.exceptions import Conflict


class ProviderUnavailable(Exception):
    """The provider could not be asked (down, slow, or its discovery document is wrong)."""


class SignInRefused(Conflict):
    """The provider's answer is not accepted; `message` tells the person why (translated).
    A domain refusal: inside a unit of work it rolls back and becomes the attempt's error."""

    def __init__(self, message, reason: str):
        super().__init__(message)
        self.reason = reason  # a short English word for the audit trail and the logs
