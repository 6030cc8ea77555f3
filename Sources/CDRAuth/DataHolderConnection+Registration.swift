import CDRJOSE
public import CDRModels

extension DataHolderConnection.Configuration {
    /// A configuration from a registration the holder confirmed: its `client_id` and the algorithms it registered.
    /// - Parameters:
    ///   - product: The software product.
    ///   - registration: The holder's answer to DCR (create, read or update).
    ///   - metadata: The holder's discovery document.
    ///   - holderBrandID: The holder's brand id on the Register (see ``holderBrandID``).
    /// - Throws: ``AuthorizationError/Code/unsupportedHolder`` when a registered algorithm is not PS256 or ES256.
    public init(
        product: SoftwareProductIdentity, registration: RegistrationProperties, metadata: HolderMetadata,
        holderBrandID: String? = nil
    ) throws {
        func algorithm(_ raw: String?, default fallback: JWSAlgorithm) throws -> JWSAlgorithm {
            guard let raw else { return fallback }
            let algorithm = JWSAlgorithm(rawValue: raw)
            guard algorithm == .ps256 || algorithm == .es256 else {
                throw AuthorizationError(
                    .unsupportedHolder, reason: "registered algorithm \(raw) is not PS256 or ES256")
            }
            return algorithm
        }
        self.init(
            product: product, clientID: registration.clientId, metadata: metadata, holderBrandID: holderBrandID,
            idTokenSigningAlgorithm: try algorithm(registration.idTokenSignedResponseAlg.rawValue, default: .ps256),
            authorizationSigningAlgorithm: try algorithm(
                registration.authorizationSignedResponseAlg?.rawValue, default: .ps256),
            isAuthorizationResponseEncrypted: registration.authorizationEncryptedResponseAlg != nil)
    }
}

extension DataHolderConnection: ArrangementRevocationReceiver {
    /// Ends an arrangement the holder revoked through the recipient's `/arrangements/revoke` endpoint.
    ///
    /// Register one connection per holder brand with ``ArrangementRevocationEndpoint`` (or route by
    /// ``ArrangementRevocation/holderBrandID`` to the right connection when you serve several holders).
    /// - Parameter revocation: The verified revocation.
    /// - Returns: `false` when the revocation comes from a brand other than ``Configuration/holderBrandID``, or this
    ///   connection has no such live arrangement (the endpoint answers 422).
    /// - Throws: The token store's error.
    public func revokeArrangement(_ revocation: ArrangementRevocation) async throws -> Bool {
        if let brand = configuration.holderBrandID, brand != revocation.holderBrandID { return false }
        return try await holderRevokedArrangement(id: revocation.arrangementID) != nil
    }
}
