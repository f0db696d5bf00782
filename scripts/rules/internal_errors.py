"""A small seeded share of snap's Cognito requests is answered 500 InternalErrorException before it takes effect (issue 20).

A rule that shapes answers: aws_proxy.py and cognito_sim.py ask
rules.enabled(NAME) and answer that share (--internal-error-rate, default
RATE) of snap's Cognito requests with HTTP 500 InternalErrorException
without forwarding them, so the call never took effect and snap must retry
it. The draws come from the proxy's or simulator's seeded random.Random.
"""
NAME = "internal-errors"
SOURCE = ("CognitoIdentityProvider API reference, every operation's Errors, e.g. AdminCreateUser "
          "(https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html): "
          "\"InternalErrorException: This exception is thrown when Amazon Cognito encounters an internal error. "
          "HTTP Status Code: 500\"")
RATE = 0.01
MESSAGE = "An internal error occurred; the request did not take effect. Retry it. [rule internal-errors]"


def strike(rng, rate, lock=None):
    """Whether this request gets the 500 (one draw from rng)."""
    if rate <= 0:
        return False
    if lock is None:
        return rng.random() < rate
    with lock:
        return rng.random() < rate


def check(op, params, ctx):
    return None  # shapes answers (see the docstring); refuses nothing
