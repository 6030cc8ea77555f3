import CDRJOSE
import CDRModels
import Hummingbird

extension MockDataHolder {
    /// The security profile's public routes: discovery, JWKS, the authorisation endpoint and consent page.
    func addSecurityPublicRoutes(to router: Router<MockRequestContext>) {
        router.get(RouterPath(SecurityPath.discovery)) { [self] _, _ -> Response in
            try HolderResponse.json(discoveryDocument())
        }
        router.get(RouterPath(SecurityPath.jwks)) { [self] _, _ -> Response in
            HolderResponse.raw(try keys.jwks.jsonData(), contentType: "application/json")
        }
        addAuthorisationRoutes(to: router)
    }

    /// The security profile's secure routes: DCR, PAR, token, userinfo, introspection, revocation and
    /// arrangement revocation.
    func addSecuritySecureRoutes(to router: Router<MockRequestContext>) {
        addRegistrationRoutes(to: router)
        addPushedAuthorisationRoute(to: router)
        addTokenRoute(to: router)
        addTokenManagementRoutes(to: router)
    }

    /// The OIDC discovery document (OIDC Discovery §3 with the CDS and FAPI members).
    ///
    /// MTLS endpoints are advertised with the secure listener's URLs, both directly and as
    /// `mtls_endpoint_aliases` (RFC 8705 §5).
    func discoveryDocument() -> [String: JSONValue] {
        let endpoints = currentEndpoints
        func list(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
        let signing = list(["PS256", "ES256"])
        let issuer = faults.discoveryIssuerMismatch ? endpoints.issuer + "/mismatched-issuer" : endpoints.issuer
        let scopes = MockRegister.allReadScopes
        let aliases: [String: JSONValue] = [
            "token_endpoint": .string(endpoints.tokenEndpoint),
            "revocation_endpoint": .string(endpoints.revocationEndpoint),
            "introspection_endpoint": .string(endpoints.introspectionEndpoint),
            "userinfo_endpoint": .string(endpoints.userinfoEndpoint),
            "pushed_authorization_request_endpoint": .string(endpoints.parEndpoint),
            "registration_endpoint": .string(endpoints.registrationEndpoint),
            "cdr_arrangement_revocation_endpoint": .string(endpoints.arrangementRevocationEndpoint),
        ]
        return [
            "issuer": .string(issuer),
            "authorization_endpoint": .string(endpoints.authorisationEndpoint),
            "token_endpoint": .string(endpoints.tokenEndpoint),
            "jwks_uri": .string(endpoints.holderJWKSURL),
            "registration_endpoint": .string(endpoints.registrationEndpoint),
            "pushed_authorization_request_endpoint": .string(endpoints.parEndpoint),
            "require_pushed_authorization_requests": .bool(true),
            "introspection_endpoint": .string(endpoints.introspectionEndpoint),
            "revocation_endpoint": .string(endpoints.revocationEndpoint),
            "userinfo_endpoint": .string(endpoints.userinfoEndpoint),
            "cdr_arrangement_revocation_endpoint": .string(endpoints.arrangementRevocationEndpoint),
            "mtls_endpoint_aliases": .object(aliases),
            "scopes_supported": list(scopes),
            "response_types_supported": list(["code"]),
            "response_modes_supported": list(["jwt"]),
            "grant_types_supported": list(["authorization_code", "refresh_token", "client_credentials"]),
            "acr_values_supported": list(CDRACR.supported),
            "subject_types_supported": list(["pairwise"]),
            "id_token_signing_alg_values_supported": signing,
            "request_object_signing_alg_values_supported": signing,
            "token_endpoint_auth_methods_supported": list(["private_key_jwt"]),
            "token_endpoint_auth_signing_alg_values_supported": signing,
            "introspection_endpoint_auth_methods_supported": list(["private_key_jwt"]),
            "introspection_endpoint_auth_signing_alg_values_supported": signing,
            "revocation_endpoint_auth_methods_supported": list(["private_key_jwt"]),
            "revocation_endpoint_auth_signing_alg_values_supported": signing,
            "authorization_signing_alg_values_supported": signing,
            "authorization_encryption_alg_values_supported": list(["RSA-OAEP", "RSA-OAEP-256"]),
            "authorization_encryption_enc_values_supported": list(["A256GCM", "A128CBC-HS256"]),
            "code_challenge_methods_supported": list(["S256"]),
            "claims_supported": list([
                "sub", "acr", "auth_time", "name", "given_name", "family_name", "updated_at", "sharing_duration",
                "cdr_arrangement_id",
            ]),
            "claims_parameter_supported": .bool(true),
            "request_parameter_supported": .bool(false),
            "request_uri_parameter_supported": .bool(true),
            "require_request_uri_registration": .bool(false),
            "tls_client_certificate_bound_access_tokens": .bool(true),
        ]
    }
}
