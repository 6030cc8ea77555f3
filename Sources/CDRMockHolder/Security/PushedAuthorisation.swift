import CDRJOSE
import CDRModels
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

extension MockDataHolder {
    /// `POST /par` (RFC 9126 as CDS and FAPI 1.0 Advanced profile it): `private_key_jwt`, then the signed request
    /// object checked claim by claim; answers 201 with a single-use `request_uri`.
    func addPushedAuthorisationRoute(to router: Router<MockRequestContext>) {
        router.post(RouterPath(SecurityPath.par)) { [self] request, _ -> Response in
            var request = request
            let form = try await request.formParameters()
            let client = try await authenticateRegisteredClient(form: form, endpoint: currentEndpoints.parEndpoint)
            guard form["request_uri"] == nil else {
                throw oauthFailure("invalid_request", "request_uri must not be sent to the PAR endpoint")
            }
            guard let requestObject = form["request"], !requestObject.isEmpty else {
                throw oauthFailure("invalid_request", "the request parameter (a signed request object) is required")
            }
            var pushed = try await validateRequestObject(requestObject, client: client)
            let requestURI = "urn:ietf:params:oauth:request_uri:" + HolderState.randomToken(bytes: 24)
            let lifetime = Int(configuration.requestURILifetime.components.seconds)
            pushed.requestURI = requestURI
            pushed.expiresAt = now.addingTimeInterval(TimeInterval(lifetime))
            state.storage.withLock { $0.pushedRequests[HolderState.key(of: requestURI)] = pushed }
            let body: [String: JSONValue] = [
                "request_uri": .string(requestURI), "expires_in": .integer(Int64(lifetime)),
            ]
            return try noStoreJSON(body, status: .created)
        }
    }

    /// Validates a request object as a holder must (CDS request object, FAPI 1.0 Advanced §5.2.2, JAR).
    /// - Returns: The pushed request, without its `request_uri` and expiry.
    /// - Throws: ``HolderHTTPError`` 400 `invalid_request_object`.
    func validateRequestObject(_ token: String, client: ClientRecord) async throws(HolderHTTPError) -> PushedRequest {
        func reject(_ description: String) -> HolderHTTPError { oauthFailure("invalid_request_object", description) }
        let claims: JWTClaims
        do {
            claims = try await JWSVerifier(
                keySource: currentKeys(of: client), allowedAlgorithms: [client.requestObjectSigningAlgorithm]
            ).verify(token).claims
        } catch let error as JOSEError {
            throw reject("the request object signature is not valid (\(error.code))")
        } catch {
            throw reject("the request object signature is not valid")
        }
        let now = self.now
        let skew: TimeInterval = 10
        guard claims.issuer == client.clientID else { throw reject("iss must be the client_id") }
        guard claims.audience == [currentEndpoints.issuer] else { throw reject("aud must be the holder's issuer") }
        guard let exp = claims.expiresAt, let nbf = claims.notBefore else { throw reject("exp and nbf are required") }
        guard exp.timeIntervalSince(nbf) <= 3600 else { throw reject("exp must be at most 60 minutes after nbf") }
        guard exp > now else { throw reject("the request object has expired") }
        guard nbf.timeIntervalSince(now) <= skew else { throw reject("nbf is in the future") }
        guard now.timeIntervalSince(nbf) <= 3600 else { throw reject("nbf is more than 60 minutes in the past") }
        for forbidden in ["request", "request_uri", "sub"] where claims[forbidden] != nil {
            throw reject("\(forbidden) must not appear in a request object")
        }
        guard claims.string("response_type") == "code" else { throw reject("response_type must be code") }
        guard claims.string("response_mode") == "jwt" else { throw reject("response_mode must be jwt") }
        guard claims.string("client_id") == client.clientID else { throw reject("client_id does not match") }
        guard let redirectURI = claims.string("redirect_uri"), client.redirectURIs.contains(redirectURI) else {
            throw reject("redirect_uri is not registered")
        }
        guard let scope = claims.string("scope") else { throw reject("scope is required") }
        let scopes = scope.split(separator: " ").map(String.init)
        guard scopes.contains("openid") else { throw reject("scope must contain openid") }
        guard Set(scopes).isSubset(of: client.allowedScopes), !scopes.contains("cdr:registration") else {
            throw reject("scope asks for scopes the software product is not accredited for")
        }
        guard let stateValue = claims.string("state"), !stateValue.isEmpty else { throw reject("state is required") }
        guard let nonce = claims.string("nonce"), !nonce.isEmpty else { throw reject("nonce is required") }
        guard let challenge = claims.string("code_challenge"), Self.isValidChallenge(challenge) else {
            throw reject("code_challenge is missing or malformed")
        }
        guard claims.string("code_challenge_method") == PKCE.method else {
            throw reject("code_challenge_method must be S256")
        }
        let requested = try requestedClaims(claims["claims"], client: client)
        return PushedRequest(
            requestURI: "", clientID: client.clientID, expiresAt: now, redirectURI: redirectURI, scopes: scopes,
            state: stateValue, nonce: nonce, codeChallenge: challenge, sharingDuration: requested.sharingDuration,
            arrangementID: requested.arrangementID, acrValues: requested.acrValues,
            requestsAuthTime: requested.requestsAuthTime)
    }

    /// The CDR members of the `claims` parameter: `sharing_duration` (negative is an error, longer than a year
    /// is capped), `cdr_arrangement_id` (an active arrangement of this client), and `id_token.acr`.
    private func requestedClaims(_ value: ClaimValue?, client: ClientRecord) throws(HolderHTTPError)
        -> (sharingDuration: Int, arrangementID: String?, acrValues: [String], requestsAuthTime: Bool)
    {
        func reject(_ description: String) -> HolderHTTPError { oauthFailure("invalid_request_object", description) }
        guard let value else { return (0, nil, [CDRACR.level2], false) }
        guard let object = value.objectValue else { throw reject("claims must be an object") }
        var sharingDuration = 0
        if let duration = object["sharing_duration"] {
            guard case .integer(let seconds) = duration else { throw reject("sharing_duration must be an integer") }
            guard seconds >= 0 else { throw reject("sharing_duration must not be negative") }
            sharingDuration = min(seconds, CDRClaims.maximumSharingDuration)
        }
        var arrangementID: String?
        if let arrangement = object["cdr_arrangement_id"] {
            guard let id = arrangement.stringValue else { throw reject("cdr_arrangement_id must be a string") }
            let now = self.now
            let owned = state.storage.withLock { storage in
                storage.arrangements[id].map { $0.clientID == client.clientID && $0.isActive(at: now) } ?? false
            }
            guard owned else { throw reject("cdr_arrangement_id is not an active arrangement of this client") }
            arrangementID = id
        }
        var acrValues = [CDRACR.level2]
        var requestsAuthTime = false
        if let idToken = object["id_token"] {
            guard let idTokenObject = idToken.objectValue else { throw reject("claims.id_token must be an object") }
            if let acr = idTokenObject["acr"]?.objectValue {
                var values: [String] = []
                if let list = acr["values"] {
                    guard let strings = list.stringArray else { throw reject("acr values must be strings") }
                    values = strings
                } else if let single = acr["value"] {
                    guard let string = single.stringValue else { throw reject("acr value must be a string") }
                    values = [string]
                }
                let supported = values.filter(CDRACR.supported.contains)
                if !values.isEmpty {
                    guard !supported.isEmpty else { throw reject("none of the requested acr values is supported") }
                    acrValues = supported
                }
            }
            requestsAuthTime = idTokenObject["auth_time"] != nil
        }
        return (sharingDuration, arrangementID, acrValues, requestsAuthTime)
    }

    /// A PKCE S256 challenge: 43 base64url characters.
    static func isValidChallenge(_ challenge: String) -> Bool {
        challenge.utf8.count == 43
            && challenge.utf8.allSatisfy { byte in
                (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                    || byte == 0x2D || byte == 0x5F
            }
    }
}
