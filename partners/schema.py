from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PartnerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "partners.authentication.PartnerTokenAuthentication"
    name = "partnerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A partner token issued by a curator: `Authorization: Bearer gcm_…`. "
                "Read tokens see published data with a larger rate limit; write tokens may "
                "also create draft recommendations and record follow-up updates."
            ),
        }
