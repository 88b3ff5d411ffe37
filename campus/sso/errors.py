"""Why a sign-in through a provider did not happen."""


class ProviderUnavailable(Exception):
    """The provider could not be asked (down, slow, or its discovery document is wrong)."""


class SignInRefused(Exception):
    """The provider's answer is not accepted; `message` tells the person why (translated)."""

    def __init__(self, message, reason: str):
        self.message = str(message)
        self.reason = reason  # a short English word for the audit trail and the logs
        super().__init__(reason)
