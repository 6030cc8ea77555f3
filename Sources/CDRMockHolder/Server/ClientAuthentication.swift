import CDRJOSE
import Foundation
import Hummingbird

extension MockDataHolder {
    /// Checks `private_key_jwt` client authentication (RFC 7523 as the CDS profiles it): the assertion type, the
    /// signature against the client's registered keys and algorithm, `iss` = `sub` = the client id (and the form's
    /// `client_id` when sent), `aud` one of the accepted audiences, `exp` present and at most 1 day after `iat`, and a
    /// single-use `jti`.
    /// - Parameters:
    ///   - form: The request's form parameters.
    ///   - audiences: The accepted `aud` values (the issuer and the endpoint's URL).
    ///   - keys: The keys and allowed algorithms of a client id, or `nil` when the client is unknown.
    /// - Returns: The authenticated client id.
    /// - Throws: ``HolderHTTPError`` with a 401 `invalid_client` response.
    func authenticateClient(
        form: [String: String], audiences: Set<String>,
        keys: (String) -> (jwks: JWKS, algorithms: Set<JWSAlgorithm>)?
    ) async throws(HolderHTTPError) -> String {
        func reject(_ description: String) -> HolderHTTPError {
            HolderHTTPError(
                response: HolderResponse.oauthError("invalid_client", description: description, status: .unauthorized))
        }
        guard form["client_assertion_type"] == ClientAssertionBuilder.assertionType else {
            throw reject("client_assertion_type must be \(ClientAssertionBuilder.assertionType)")
        }
        guard let assertion = form["client_assertion"], !assertion.isEmpty else {
            throw reject("client_assertion is missing")
        }
        guard let unverified = try? UnverifiedJWT(assertion), let clientID = unverified.claims.issuer else {
            throw reject("client_assertion is not a JWT with an iss")
        }
        if let formClientID = form["client_id"], formClientID != clientID {
            throw reject("client_id does not match the assertion's iss")
        }
        guard let (jwks, algorithms) = keys(clientID) else { throw reject("unknown client") }
        let validator = SelfSignedJWTValidator(
            configuration: .init(
                issuer: clientID, audiences: audiences, allowedAlgorithms: algorithms, clockSkew: .seconds(30),
                maximumLifetime: .seconds(86_400)),
            keys: jwks, replayCache: state.replayCache, timeSource: configuration.timeSource)
        do {
            _ = try await validator.validate(assertion)
        } catch let error as JOSEError {
            throw reject("client_assertion rejected: \(error.code)")
        } catch {
            throw reject("client_assertion rejected")
        }
        return clientID
    }
}
