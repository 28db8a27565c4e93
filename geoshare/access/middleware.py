from django.utils.functional import SimpleLazyObject

from geoshare.access.policy import Principal


class PrincipalMiddleware:
    """Attaches ``request.principal``, the only identity the services look at."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.principal = SimpleLazyObject(lambda: Principal.for_user(request.user))
        return self.get_response(request)
