import Hummingbird

extension MockDataHolder {
    /// The security profile's public routes: discovery, JWKS, the authorisation endpoint and consent page.
    func addSecurityPublicRoutes(to router: Router<MockRequestContext>) {}

    /// The security profile's secure routes: DCR, PAR, token, userinfo, introspection, revocation and
    /// arrangement revocation.
    func addSecuritySecureRoutes(to router: Router<MockRequestContext>) {}
}
