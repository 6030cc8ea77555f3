// The Swift block(s) of the CDRJOSE catalog (Sources/CDRJOSE/Docs.docc/CDRJOSE.md), between `// sample:` and `// end sample` markers
// (`Scripts/check-doc-samples.py` checks that they are the same). The functions' parameters are what a reader has.
import CDRJOSE
import Foundation

func joseCatalogOverview(
    clientID: String, holderIssuer: String, redirectURI: String, state: String, nonce: String, jwksURI: URL,
    responseJWT: String, fetch: @escaping @Sendable (URL) async throws -> Data
) async throws {
    // sample: Sources/CDRJOSE/Docs.docc/CDRJOSE.md#1
    let key = try SigningKey.generate(.ps256)  // publish JWKS(keys: [key.publicJWK])
    let pkce = PKCE.generate()
    let request = RequestObject(
        clientID: clientID, audience: holderIssuer, redirectURI: redirectURI,
        scopes: ["bank:accounts.basic:read"], state: state, nonce: nonce, pkce: pkce,
        claims: CDRClaims(sharingDuration: 7_776_000))
    let requestJWT = try await request.sign(with: key)

    let holderKeys = JWKSCache(url: jwksURI) { url in try await fetch(url) }
    let jarm = JARMValidator(configuration: .init(issuer: holderIssuer, clientID: clientID), keys: holderKeys)
    let response = try await jarm.validate(responseJWT, expectedState: state)  // then exchange response.code
    // end sample
    _ = (requestJWT, response)
}
