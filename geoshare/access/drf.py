from rest_framework.authentication import BaseAuthentication

from geoshare.access.authentication import BASIC_CHALLENGE


class CredentialsAuthentication(BaseAuthentication):
    """Lets REST views see the user CredentialsMiddleware authenticated (token or Basic)."""

    def authenticate(self, request):
        django_request = request._request
        if getattr(django_request, "authenticated_by", None):
            return django_request.user, django_request.authenticated_by
        return None

    def authenticate_header(self, request):
        return BASIC_CHALLENGE
