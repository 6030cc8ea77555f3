import CDRJOSE
import CDRModels
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

extension MockDataHolder {
    /// `POST /token`: `authorization_code`, `refresh_token` and `client_credentials` grants, each with
    /// `private_key_jwt`; access tokens are opaque and bound to the presented certificate (RFC 8705).
    func addTokenRoute(to router: Router<MockRequestContext>) {
        router.post(RouterPath(SecurityPath.token)) { [self] request, context -> Response in
            var request = request
            let form = try await request.formParameters()
            guard let thumbprint = await context.clientCertificateThumbprint() else {
                throw oauthFailure("invalid_client", "a client certificate is required", status: .unauthorized)
            }
            let client = try await authenticateRegisteredClient(form: form, endpoint: currentEndpoints.tokenEndpoint)
            guard let grantType = form["grant_type"] else {
                throw oauthFailure("invalid_request", "grant_type is missing")
            }
            guard ["authorization_code", "refresh_token", "client_credentials"].contains(grantType) else {
                throw oauthFailure("unsupported_grant_type", "the grant type is not supported")
            }
            guard client.grantTypes.contains(grantType) else {
                throw oauthFailure("unauthorized_client", "the client did not register this grant type")
            }
            switch grantType {
            case "authorization_code":
                return try await authorizationCodeGrant(form, client: client, thumbprint: thumbprint)
            case "refresh_token":
                return try await refreshTokenGrant(form, client: client, thumbprint: thumbprint)
            default:
                return try clientCredentialsGrant(form, client: client, thumbprint: thumbprint)
            }
        }
    }

    private func authorizationCodeGrant(_ form: [String: String], client: ClientRecord, thumbprint: String)
        async throws -> Response
    {
        guard let code = form["code"], let redirectURI = form["redirect_uri"], let verifier = form["code_verifier"]
        else {
            throw oauthFailure("invalid_request", "code, redirect_uri and code_verifier are required")
        }
        let now = self.now
        let key = HolderState.key(of: code)
        enum Outcome: Sendable {
            case unknown, reused, issued(AuthorizationCodeRecord)
        }
        let outcome = state.storage.withLock { storage -> Outcome in
            guard var record = storage.codes[key] else { return .unknown }
            if record.redeemed {
                // RFC 6749 §4.1.2: a second use revokes what the first one issued.
                storage.revokeTokens(ofArrangement: record.arrangementID)
                return .reused
            }
            record.redeemed = true
            storage.codes[key] = record
            return .issued(record)
        }
        let record: AuthorizationCodeRecord
        switch outcome {
        case .unknown: throw oauthFailure("invalid_grant", "the code is not valid")
        case .reused: throw oauthFailure("invalid_grant", "the code was already used")
        case .issued(let found): record = found
        }
        guard record.clientID == client.clientID else { throw oauthFailure("invalid_grant", "the code is not valid") }
        guard record.expiresAt > now else { throw oauthFailure("invalid_grant", "the code has expired") }
        guard record.redirectURI == redirectURI else {
            throw oauthFailure("invalid_grant", "redirect_uri differs from the authorisation request")
        }
        guard (43...128).contains(verifier.utf8.count), PKCE.challenge(for: verifier) == record.codeChallenge else {
            throw oauthFailure("invalid_grant", "code_verifier does not match the code_challenge")
        }
        let arrangement = state.storage.withLock { storage -> ArrangementRecord in
            let previous = storage.arrangements[record.arrangementID]
            if previous != nil {
                // An amendment replaces the consent: what was issued under the old one ends.
                storage.revokeTokens(ofArrangement: record.arrangementID)
            }
            let sharingExpiresAt =
                record.sharingDuration > 0
                ? now.wholeSeconds.addingTimeInterval(TimeInterval(record.sharingDuration)) : nil
            let arrangement = ArrangementRecord(
                id: record.arrangementID, clientID: client.clientID, customerID: record.customerID,
                accountIDs: record.accountIDs, scopes: record.scopes, createdAt: previous?.createdAt ?? now,
                sharingExpiresAt: sharingExpiresAt, status: .active,
                subject: pairwiseSubject(customerID: record.customerID, softwareProductID: client.softwareProductID),
                acr: record.acr, authTime: record.authTime)
            storage.arrangements[arrangement.id] = arrangement
            return arrangement
        }
        var refreshToken: String?
        if let sharingExpiresAt = arrangement.sharingExpiresAt {
            let token = HolderState.randomToken()
            state.storage.withLock {
                $0.refreshTokens[HolderState.key(of: token)] = RefreshTokenRecord(
                    clientID: client.clientID, arrangementID: arrangement.id, scopes: arrangement.scopes,
                    expiresAt: sharingExpiresAt, revoked: false)
            }
            refreshToken = token
        }
        let idToken = try await makeIDToken(client: client, arrangement: arrangement, nonce: record.nonce)
        logger.debug(
            "tokens issued",
            metadata: ["cdr.client_id": "\(client.clientID)", "cdr.arrangement_id": "\(arrangement.id)"])
        return try tokenResponse(
            client: client, scopes: arrangement.scopes, kind: .arrangement(arrangement.id), thumbprint: thumbprint,
            refreshToken: refreshToken, idToken: idToken, arrangementID: arrangement.id)
    }

    private func refreshTokenGrant(_ form: [String: String], client: ClientRecord, thumbprint: String)
        async throws -> Response
    {
        guard let token = form["refresh_token"] else {
            throw oauthFailure("invalid_request", "refresh_token is missing")
        }
        if faults.token.contains(.rejectRefresh) {
            throw oauthFailure("invalid_grant", "the refresh token is not valid")
        }
        let now = self.now
        guard let (record, arrangement) = state.liveRefreshToken(token, of: client.clientID, at: now) else {
            throw oauthFailure("invalid_grant", "the refresh token is not valid, expired or revoked")
        }
        var scopes = record.scopes
        if let requested = form["scope"] {
            let list = requested.split(separator: " ").map(String.init)
            guard Set(list).isSubset(of: record.scopes) else {
                throw oauthFailure("invalid_scope", "a refresh cannot widen the granted scopes")
            }
            scopes = list
        }
        let idToken = try await makeIDToken(client: client, arrangement: arrangement, nonce: nil)
        let rotation = configuration.refreshTokenRotation
        let presented = HolderState.key(of: token)
        guard rotation.rotates else {
            // No rotation: the same refresh token stays valid until the sharing period ends.
            return try tokenResponse(
                client: client, scopes: scopes, kind: .arrangement(arrangement.id), thumbprint: thumbprint,
                refreshToken: token, idToken: idToken, arrangementID: arrangement.id)
        }
        let next = HolderState.randomToken()
        let rotated = state.storage.withLock { storage -> Bool in
            // Checked again under the lock: two refreshes with one token must not both rotate it.
            guard storage.refreshTokens[presented]?.revoked == false else { return false }
            storage.noteUse(ofRefreshToken: presented)
            storage.refreshTokens[HolderState.key(of: next)] = RefreshTokenRecord(
                clientID: record.clientID, arrangementID: record.arrangementID, scopes: record.scopes,
                expiresAt: record.expiresAt, revoked: false, predecessor: rotation.revokesOnIssue ? nil : presented)
            storage.refreshTokens[presented]?.successor = HolderState.key(of: next)
            if rotation.revokesOnIssue { storage.refreshTokens[presented]?.revoked = true }
            return true
        }
        guard rotated else { throw oauthFailure("invalid_grant", "the refresh token is not valid, expired or revoked") }
        return try tokenResponse(
            client: client, scopes: scopes, kind: .arrangement(arrangement.id), thumbprint: thumbprint,
            refreshToken: next, idToken: idToken, arrangementID: arrangement.id)
    }

    private func clientCredentialsGrant(_ form: [String: String], client: ClientRecord, thumbprint: String) throws
        -> Response
    {
        let requested = (form["scope"] ?? "cdr:registration").split(separator: " ").map(String.init)
        guard requested == ["cdr:registration"] else {
            throw oauthFailure("invalid_scope", "client_credentials tokens are for the scope cdr:registration only")
        }
        return try tokenResponse(
            client: client, scopes: requested, kind: .clientCredentials, thumbprint: thumbprint, refreshToken: nil,
            idToken: nil, arrangementID: nil)
    }

    /// Stores a new access token and builds the token response, applying ``MockFaults/token``.
    private func tokenResponse(
        client: ClientRecord, scopes: [String], kind: AccessTokenRecord.Kind, thumbprint: String,
        refreshToken: String?, idToken: String?, arrangementID: String?
    ) throws -> Response {
        let token = HolderState.randomToken()
        let lifetime = Int(configuration.accessTokenLifetime.components.seconds)
        let expiresAt = now.addingTimeInterval(TimeInterval(lifetime))
        state.storage.withLock {
            $0.accessTokens[HolderState.key(of: token)] = AccessTokenRecord(
                kind: kind, clientID: client.clientID, scopes: Set(scopes), certificateThumbprint: thumbprint,
                expiresAt: expiresAt, revoked: false,
                refreshTokenKey: configuration.refreshTokenRotation.rotates
                    ? refreshToken.map(HolderState.key(of:)) : nil)
        }
        let tokenFaults = faults.token
        var body: [String: JSONValue] = [
            "access_token": .string(token),
            "token_type": .string(tokenFaults.contains(.lowercaseTokenType) ? "bearer" : "Bearer"),
        ]
        if !tokenFaults.contains(.omitScopeAndExpiresIn) {
            body["expires_in"] = .integer(Int64(lifetime))
            body["scope"] = .string(scopes.joined(separator: " "))
        }
        if let refreshToken { body["refresh_token"] = .string(refreshToken) }
        if let idToken { body["id_token"] = .string(idToken) }
        if let arrangementID { body["cdr_arrangement_id"] = .string(arrangementID) }
        return try noStoreJSON(body)
    }

    // MARK: - ID token

    /// Signs an ID token (OIDC Core §2 as CDS profiles it): `iss`, `sub` (the PPID), `aud` = client id, `iat`,
    /// `exp`, `auth_time`, `acr`, and `nonce` for the code exchange. `cdr_arrangement_id` travels in the token
    /// response, not here. Every ``MockFaults/idToken`` fault is applied.
    func makeIDToken(client: ClientRecord, arrangement: ArrangementRecord, nonce: String?) async throws -> String {
        let idFaults = faults.idToken
        let now = self.now.wholeSeconds
        var claims = JWTClaims()
        claims.issuer = currentEndpoints.issuer
        claims.subject = arrangement.subject
        claims["aud"] = .string(client.clientID)
        claims.issuedAt = now
        claims.expiresAt = now.addingTimeInterval(TimeInterval(configuration.accessTokenLifetime.components.seconds))
        claims["acr"] = .string(arrangement.acr)
        if let authTime = arrangement.authTime { claims["auth_time"] = .date(authTime) }
        if let nonce { claims["nonce"] = .string(nonce) }
        for fault in idFaults {
            switch fault {
            case .invalidIssuer: claims.issuer = "https://issuer.invalid.example"
            case .missingIssuer: claims["iss"] = nil
            case .invalidAudience: claims["aud"] = "another-client"
            case .missingAudience: claims["aud"] = nil
            case .secondaryAudience: claims["aud"] = [.string(client.clientID), "untrusted-client"]
            case .audienceAsArray: claims["aud"] = [.string(client.clientID)]
            case .invalidNonce: claims["nonce"] = .string("not-" + (nonce ?? "the-original-nonce"))
            case .missingNonce: claims["nonce"] = nil
            case .expired:
                claims.issuedAt = now.addingTimeInterval(-1200)
                claims.expiresAt = now.addingTimeInterval(-600)
            case .missingExpiry: claims["exp"] = nil
            case .issuedInFuture:
                claims.issuedAt = now.addingTimeInterval(3600)
                claims.expiresAt = now.addingTimeInterval(3900)
            case .missingACR: claims["acr"] = nil
            case .noneAlgorithm, .alternateAlgorithmRS256, .invalidSignature, .unknownKeyID: break
            }
        }
        let mode: SignatureMode =
            if idFaults.contains(.noneAlgorithm) { .noneAlgorithm } else if idFaults.contains(.alternateAlgorithmRS256)
            { .rs256 } else if idFaults.contains(.unknownKeyID) {
                .unknownKeyID
            } else if idFaults.contains(.invalidSignature) { .invalidSignature } else { .valid }
        return try await signAsHolder(claims, algorithm: client.idTokenSignedResponseAlgorithm, mode: mode)
    }
}
