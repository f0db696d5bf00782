"""A refused pagination token reads "Paging marker … is invalid for request …" (issue 20, items 8 and 9).

Shapes answers: the simulator words its token refusals so (InvalidParameterException) when this rule
is on, and off it keeps its own words ("The pagination token has expired."), so a client that matched
on the message is caught either way. When a token is refused is not documented (the SPEC's "an hour"
has no source): the simulator refuses it after --token-life, a test clock, not AWS's."""

NAME = "paging-marker-invalid"
SOURCE = ("aws/aws-sdk-js issue #3705, \"Cognito ListUsers error - Paging Marker is Invalid for Request\" "
          "(https://github.com/aws/aws-sdk-js/issues/3705): \"Paging marker CAISsAII… is invalid for request "
          "adaa2d40-d1bd-4da4-ab5c-ed2a2e20b341\" (the one real refusal text on record; the API reference documents "
          "only InvalidParameterException)")


def message(token, request_id):
    """The refusal's text, in the words on record."""
    return f"Paging marker {token} is invalid for request {request_id}"


def check(op, params, ctx):
    return None
