"""Any one operation of UserPoolResourceRead, UserPoolResourceUpdate, UserPoolClientRead or UserPoolClientUpdate runs at most 5 requests per second per pool (issue 20, item 10; the quotas page marks all four).

A rule that shapes answers: aws_proxy.py and cognito_sim.py keep one token
bucket (RATE per second, burst RATE) per pool id and operation, and answer
a request beyond it HTTP 400 TooManyRequestsException, whichever client
sent it. snap paces these operations below the cap (QuotaCategory.perOperationRPS).
"""
import threading
import time

NAME = "per-pool-operation-cap"
SOURCE = ("Amazon Cognito Developer Guide, Quotas in Amazon Cognito "
          "(https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html), the UserPoolResourceRead and "
          "UserPoolResourceUpdate categories: \"Any individual operation in this category has a constraint that prevents "
          "the operation from being called at a rate higher than 5 RPS for a single user pool.\"")
RATE = 5.0
CATEGORIES = ("UserPoolResourceRead", "UserPoolResourceUpdate", "UserPoolClientRead", "UserPoolClientUpdate")


class Limiter:
    """Token buckets keyed by (pool id, operation): rate per second, burst rate."""

    def __init__(self, rate=RATE):
        self.rate = rate
        self.buckets = {}
        self.lock = threading.Lock()

    def admit(self, pool_id, op):
        now = time.monotonic()
        with self.lock:
            tokens, last = self.buckets.get((pool_id, op), (self.rate, now))
            tokens = min(self.rate, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self.buckets[(pool_id, op)] = (tokens - 1, now)
                return True
            self.buckets[(pool_id, op)] = (tokens, now)
            return False


def check(op, params, ctx):
    return None  # shapes answers (see the docstring); refuses nothing
