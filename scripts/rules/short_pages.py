"""ListUsers, ListUsersInGroup and ListGroups may return fewer items than Limit without being at the end (issue 20, item 9).

Shapes answers: the simulator returns a short page (1 to Limit-1 items, and a token) at a seeded
share of the pages that are not the last."""

NAME = "short-pages"
SOURCE = ("CognitoIdentityProvider API reference, ListUsers, Limit "
          "(https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUsers.html): "
          "\"In some SDK contexts, this operation might return fewer items than you specify in the Limit parameter "
          "without having reached the end of the full list. If the response contains a PaginationToken, then there "
          "are more results.\" Seen: aws/aws-sdk-js-v3 issue #7071 (https://github.com/aws/aws-sdk-js-v3/issues/7071), "
          "\"I have 53 users in my user pool. When I set the limit to 20, the first page contains 7 users.\"")


def check(op, params, ctx):
    return None
