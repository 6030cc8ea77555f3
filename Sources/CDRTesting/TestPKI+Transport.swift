public import CDRTransport

extension TestPKI {
    /// The test CA as pinned trust roots, for both of a transport's trust modes.
    public var trustRoots: TrustRoots {
        get throws { .certificates(pem: try certificateAuthority.certificatePEM()) }
    }

    /// A mutual-TLS identity for a transport.
    /// - Parameter identity: The identity to present; the PKI's client leaf by default.
    /// - Returns: The certificate and key as PEM.
    /// - Throws: When the certificate or key cannot be serialised.
    public func clientIdentity(_ identity: Identity? = nil) throws -> ClientIdentity {
        let chosen = identity ?? client
        return ClientIdentity(
            certificateChainPEM: try chosen.certificatePEM(), privateKeyPEM: try chosen.privateKeyPEM())
    }
}
